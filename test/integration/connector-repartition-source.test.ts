// The repartition source against a real broker: records encoded as the writing tasks of a scaled-out job
// encode them (data, watermark, idle and end records; some in an aborted transaction) are read back by
// the reader of each task, which must hand out its own partition's elements only and turn the control
// records into the minimum watermark over writers, across a restore from its snapshot too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MessageToProduce, Producer } from '@platformatic/kafka';
import { isStreamError } from '../../src/common/errors.ts';
import { MAX_TIMESTAMP } from '../../src/common/time.ts';
import { KafkaSinkWriter } from '../../src/connectors/kafka/kafka-sink.ts';
import { repartitionSource } from '../../src/connectors/kafka/repartition-source.ts';
import { connectorResolver } from '../../src/connectors/registry.ts';
import { sinkContext, sourceContext } from '../../src/connectors/shared/testing.ts';
import {
  RepartitionEncoder,
  type RepartitionRecord,
} from '../../src/engine/repartition/repartition-records.ts';
import type { SourceReader, SplitPosition } from '../../src/engine/source.ts';
import { baseClientOptions } from '../../src/kafka/client-options.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic, produce } from './connector-kafka-helpers.ts';

let broker: TestBroker;
let producer: Producer;
before(async () => {
  broker = await startTestBroker();
  producer = new Producer(baseClientOptions({ bootstrap: broker.bootstrap }, 'test-producer'));
});
after(async () => {
  await producer.close();
  await broker.stop();
});

interface Element {
  readonly w: number;
  readonly p: number;
  readonly n: number;
}
type Out = { readonly partition: number; readonly record: RepartitionRecord };

/** One writing task: encodes records for chosen partitions and remembers the elements it wrote. */
class Writer {
  readonly encoder: RepartitionEncoder;
  readonly task: number;
  readonly partitions: number;
  private next = 0;
  constructor(task: number, partitions: number) {
    this.task = task;
    this.partitions = partitions;
    this.encoder = new RepartitionEncoder(task);
  }
  /** `count` elements to each partition; element n has event time 1000 * task + n. */
  data(count: number): { out: Out[]; elements: Element[] } {
    const elements: Element[] = [];
    for (let i = 0; i < count; i++)
      for (let p = 0; p < this.partitions; p++) elements.push({ w: this.task, p, n: this.next++ });
    const records = this.encoder.data(
      { values: elements, timestamps: elements.map(timeOf) },
      elements.map(() => 0),
    );
    return { out: records.map((record, i) => ({ partition: elements[i].p, record })), elements };
  }
  toAll(record: RepartitionRecord): Out[] {
    return Array.from({ length: this.partitions }, (_, partition) => ({ partition, record }));
  }
}

const timeOf = (e: Element): number => 1000 * e.w + e.n;

function messages(topic: string, out: readonly Out[]): MessageToProduce[] {
  return out.map(({ partition, record }) => ({
    topic,
    partition,
    key: record.key,
    value: record.value ?? undefined,
    headers: new Map(record.headers),
    timestamp: record.timestamp === undefined ? undefined : BigInt(record.timestamp),
  }));
}

const send = (topic: string, out: readonly Out[]) =>
  producer.send({ acks: -1, messages: messages(topic, out) });

/** Produces `out` in one transaction of its own that commits or aborts. */
async function inTransaction(topic: string, id: string, out: readonly Out[], commit: boolean) {
  const txnProducer = new Producer({
    ...baseClientOptions({ bootstrap: broker.bootstrap }, 'test-txn'),
    idempotent: true,
    transactionalId: id,
    producerId: -1n,
    producerEpoch: -1,
  });
  try {
    const txn = await txnProducer.beginTransaction();
    await txn.send({ messages: messages(topic, out) });
    await (commit ? txn.commit() : txn.abort());
  } finally {
    await txnProducer.close();
  }
}

async function openReader(
  topic: string,
  jobId: string,
  task: number,
  options: { tasks?: number; bounded?: boolean; batchSize?: number; restore?: SplitPosition[] } = {},
): Promise<SourceReader<unknown>> {
  const tasks = options.tasks ?? 3;
  const reader = connectorResolver.createSource(
    repartitionSource({ topic, tasks, bounded: options.bounded ?? true }),
  );
  if (options.restore !== undefined) reader.restorePositions!(options.restore);
  await reader.open(
    sourceContext({
      bootstrap: broker.bootstrap,
      jobId,
      subtaskIndex: task,
      parallelism: tasks,
      batchSize: options.batchSize ?? 100,
    }),
  );
  return reader;
}

/** Polls until the reader's position reaches the partition's last stable offset; what it handed out. */
async function catchUp(
  reader: SourceReader<unknown>,
  topic: string,
  partition: number,
): Promise<{ values: unknown[]; timestamps: number[] }> {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  const end = (await consumer.listOffsets([{ topic, partition }], 'latest')).get(`${topic}-${partition}`)!;
  await consumer.close();
  const read = { values: [] as unknown[], timestamps: [] as number[] };
  const offset = () => (reader.snapshotPositions!()[0].position as { offset: number }).offset;
  for (let polls = 0; offset() < Number(end); polls++) {
    assert.ok(polls < 200, `the reader of partition ${partition} is stuck at offset ${offset()} < ${end}`);
    for (const chunk of (await reader.poll(50)) ?? []) {
      read.values.push(...chunk.values);
      read.timestamps.push(...chunk.timestamps);
    }
  }
  return read;
}

const mine = (elements: Element[], partition: number): Element[] => elements.filter((e) => e.p === partition);
const watermarkOf = (reader: SourceReader<unknown>) => reader.currentWatermark!();

test('each task reads its partition only, never aborted or control records; watermarks survive a restore', {
  timeout: 30_000,
}, async () => {
  const [topic, jobId] = ['rp-main', 'rp-job'];
  await makeTopic(broker.bootstrap, topic, 3);
  const [w0, w1, w2] = [0, 1, 2].map((t) => new Writer(t, 3));
  const a = w0.data(2);
  const b = w1.data(1);
  await send(topic, [...a.out, ...w0.toAll(w0.encoder.watermark(100))]);
  await send(topic, [...b.out, ...w1.toAll(w1.encoder.watermark(50))]);
  // Writer 2's first attempt fails: its elements and its watermark must never show.
  const aborted = w2.data(1);
  await inTransaction(topic, 'rp-w2', [...aborted.out, ...w2.toAll(w2.encoder.watermark(10_000))], false);

  const readers = await Promise.all(
    [0, 1, 2].map((task) => openReader(topic, `${jobId}.task-${task}`, task)),
  );
  for (const [task, reader] of readers.entries()) {
    const read = await catchUp(reader, topic, task);
    const expected = [...mine(a.elements, task), ...mine(b.elements, task)];
    assert.deepEqual(read.values, expected, `task ${task}: its partition's committed elements, in order`);
    assert.deepEqual(read.timestamps, expected.map(timeOf));
    assert.deepEqual(watermarkOf(reader), { watermark: undefined, idle: false }, 'writer 2 not heard yet');
  }

  const c = w2.data(1);
  await inTransaction(topic, 'rp-w2', [...c.out, ...w2.toAll(w2.encoder.watermark(70))], true);
  await send(topic, w1.toAll(w1.encoder.watermark(200)));
  for (const [task, reader] of readers.entries()) {
    assert.deepEqual((await catchUp(reader, topic, task)).values, mine(c.elements, task));
    assert.deepEqual(watermarkOf(reader), { watermark: 70, idle: false }, 'min(100, 200, 70)');
  }

  // Through JSON, as a checkpoint manifest keeps them.
  const positions = readers.map((reader) => JSON.parse(JSON.stringify(reader.snapshotPositions!())));
  await Promise.all(readers.map((reader) => reader.close()));
  const d = w0.data(1);
  await send(topic, [...d.out, ...w0.toAll(w0.encoder.watermark(300)), ...w2.toAll(w2.encoder.idle(true))]);
  const restored = await Promise.all(
    [0, 1, 2].map((task) => openReader(topic, `${jobId}.task-${task}`, task, { restore: positions[task] })),
  );
  for (const [task, reader] of restored.entries()) {
    assert.deepEqual(watermarkOf(reader), { watermark: 70, idle: false }, 'the watermark comes back');
    assert.deepEqual((await catchUp(reader, topic, task)).values, mine(d.elements, task), 'no replay');
    assert.deepEqual(watermarkOf(reader), { watermark: 200, idle: false }, 'writer 2 idle: min(300, 200)');
  }

  await send(topic, [...w1.toAll(w1.encoder.end()), ...w0.toAll(w0.encoder.end())]);
  for (const [task, reader] of restored.entries()) {
    await catchUp(reader, topic, task);
    assert.deepEqual(watermarkOf(reader), { watermark: 300, idle: true }, 'only idle writer 2 is left');
  }
  await send(topic, w2.toAll(w2.encoder.end()));
  for (const [task, reader] of restored.entries()) {
    await catchUp(reader, topic, task);
    assert.deepEqual(watermarkOf(reader), { watermark: MAX_TIMESTAMP, idle: false });
    assert.deepEqual(await reader.poll(10), [
      { split: `${topic}-${task}`, values: [], timestamps: [], ended: true },
    ]);
    assert.equal(await reader.poll(10), null, 'bounded: ends once every writer has ended');
    await reader.close();
  }
});

test('a watermark shows only with the poll that hands out the elements before it', {
  timeout: 20_000,
}, async () => {
  const topic = 'rp-order';
  await makeTopic(broker.bootstrap, topic, 1);
  const writer = new Writer(0, 1);
  const first = writer.data(5);
  const second = writer.data(3);
  // Offsets: elements 0-4, the watermark at 5, elements 6-8, the end at 9.
  await send(topic, [...first.out, { partition: 0, record: writer.encoder.watermark(10) }, ...second.out]);
  await send(topic, [{ partition: 0, record: writer.encoder.end() }]);
  const options = { tasks: 1, bounded: false, batchSize: 2 };
  const reader = await openReader(topic, 'rp-order-job', 0, options);
  const valuesOf = async () => ((await reader.poll(1_000)) ?? []).flatMap((chunk) => chunk.values);
  try {
    assert.deepEqual(await valuesOf(), [], 'the split is announced first');
    assert.deepEqual(await valuesOf(), first.elements.slice(0, 2));
    assert.equal(watermarkOf(reader).watermark, undefined);
    assert.deepEqual(await valuesOf(), first.elements.slice(2, 4));
    assert.equal(watermarkOf(reader).watermark, undefined, 'element 4 is not out yet');
    assert.deepEqual(await valuesOf(), first.elements.slice(4));
    assert.equal(watermarkOf(reader).watermark, 10);
    const positions = reader.snapshotPositions!();
    assert.equal((positions[0].position as { offset: number }).offset, 6, 'resume after the watermark');

    const again = await openReader(topic, 'rp-order-job', 0, { ...options, restore: positions });
    try {
      assert.equal(watermarkOf(again).watermark, 10);
      const read = await catchUp(again, topic, 0);
      assert.deepEqual(read.values, second.elements);
      assert.equal(watermarkOf(again).watermark, MAX_TIMESTAMP);
      assert.deepEqual(await again.poll(10), [], 'unbounded: keeps polling after every writer ended');
    } finally {
      await again.close();
    }
  } finally {
    await reader.close();
  }
});

test('offsets committed by an exactly-once sink with a checkpoint: committedCheckpoint and the next start', {
  timeout: 20_000,
}, async () => {
  const [topic, jobId] = ['rp-eo', 'rp-eo-job.task-0'];
  await makeTopic(broker.bootstrap, topic, 1);
  await makeTopic(broker.bootstrap, 'rp-eo-out', 1);
  const descriptor = repartitionSource({ topic, tasks: 1, bounded: false });
  const committed = () =>
    connectorResolver.committedCheckpoint!(descriptor, { jobId, bootstrap: broker.bootstrap });
  const writer = new Writer(0, 1);
  const first = writer.data(3);
  await send(topic, first.out);
  const reader = await openReader(topic, jobId, 0, { tasks: 1, bounded: false });
  assert.deepEqual((await catchUp(reader, topic, 0)).values, first.elements);
  assert.equal(await committed(), undefined);

  const sink = new KafkaSinkWriter({ topic: 'rp-eo-out', format: 'string', guarantee: 'exactly-once' });
  const checkpointing = { interval: 1_000, timeout: 10_000, mode: 'exactly-once' } as const;
  await sink.open(sinkContext({ bootstrap: broker.bootstrap, jobId, checkpointing }));
  try {
    await sink.prepareCommit(1);
    await sink.commit(1, [{ sourceName: 'repartition', positions: reader.snapshotPositions!() }]);
  } finally {
    await sink.close();
    await reader.close();
  }
  assert.equal(await committed(), 1);

  const second = writer.data(2);
  await send(topic, second.out);
  const next = await openReader(topic, jobId, 0, { tasks: 1, bounded: false });
  try {
    assert.deepEqual((await catchUp(next, topic, 0)).values, second.elements, 'starts at the group offset');
  } finally {
    await next.close();
  }
});

test('wrong parallelism, wrong partition count, foreign records and bad configs fail clearly', {
  timeout: 20_000,
}, async () => {
  await makeTopic(broker.bootstrap, 'rp-two', 2);
  const code = (expected: string, pattern: RegExp) => (error: unknown) =>
    isStreamError(error) && error.code === expected && pattern.test(error.message);
  const reader = connectorResolver.createSource(
    repartitionSource({ topic: 'rp-two', tasks: 3, bounded: true }),
  );
  const ctx = { bootstrap: broker.bootstrap, subtaskIndex: 0 };
  await assert.rejects(
    reader.open(sourceContext({ ...ctx, parallelism: 2 })),
    code('CON_INVALID_CONFIG', /parallelism 3/),
  );
  await assert.rejects(
    reader.open(sourceContext({ ...ctx, parallelism: 3 })),
    code('CON_INVALID_CONFIG', /has 2 partitions/),
  );
  assert.throws(
    () => repartitionSource({ topic: '', tasks: 0, bounded: true }),
    code('CON_INVALID_CONFIG', /tasks/),
  );

  await makeTopic(broker.bootstrap, 'rp-foreign', 1);
  await produce(broker.bootstrap, 'rp-foreign', [{ value: 'not from eddy' }]);
  const foreign = await openReader('rp-foreign', 'rp-foreign-job', 0, { tasks: 1 });
  try {
    await foreign.poll(10); // the split announcement
    await assert.rejects(
      foreign.poll(1_000),
      code('ENG_REPARTITION_RECORD_INVALID', /"rp-foreign", partition 0, offset 0.*eddy-writer/),
    );
  } finally {
    await foreign.close();
  }
});
