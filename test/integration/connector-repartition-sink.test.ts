// The repartition sink against a real broker, driven by hand as the checkpoint coordinator of two tasks
// would: each writer runs in its own task job (own transaction), and the topic is read back
// read_committed to check where every element and control record landed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isStreamError } from '../../src/common/errors.ts';
import { ManualClock } from '../../src/common/time.ts';
import {
  type RepartitionSinkOptions,
  RepartitionSinkWriter,
} from '../../src/connectors/kafka/repartition-sink.ts';
import { batch, sinkContext } from '../../src/connectors/shared/testing.ts';
import { decodeRepartitionRecords } from '../../src/engine/repartition/repartition-records.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { keyGroupOf, subtaskForKeyGroup } from '../../src/state/key-groups.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic } from './connector-kafka-helpers.ts';

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

const TASKS = 3;
const MAX_PARALLELISM = 128;
const CHECKPOINTING = { interval: 1_000, timeout: 10_000, mode: 'exactly-once' } as const;

interface Click {
  readonly user: string;
  readonly writer: number;
  readonly n: number;
}

/** What one writer put into one partition, in order: elements (with event time) and control records. */
type Entry =
  | { readonly element: Click; readonly time: number }
  | { readonly watermark: number }
  | { readonly end: true };

const options = (topic: string): RepartitionSinkOptions => ({
  topic,
  tasks: TASKS,
  maxParallelism: MAX_PARALLELISM,
  key: (value) => (value as Click).user,
});

const partitionOf = (click: Click): number =>
  subtaskForKeyGroup(keyGroupOf(click.user, MAX_PARALLELISM), MAX_PARALLELISM, TASKS);

async function openWriter(topic: string, jobId: string, task: number, clock: ManualClock) {
  const writer = new RepartitionSinkWriter(options(topic), clock);
  await writer.open(
    sinkContext({
      bootstrap: broker.bootstrap,
      jobId: `${jobId}.task-${task}`,
      operatorName: `repartition 0 (task ${task})`,
      subtaskIndex: task,
      parallelism: TASKS,
      checkpointing: CHECKPOINTING,
    }),
  );
  return writer;
}

function clicks(writer: number, from: number, count: number): Click[] {
  return Array.from({ length: count }, (_, i) => ({ user: `user-${(from + i) * 7}`, writer, n: from + i }));
}

/** Event time n * 10, except: none for every fifth element, one negative (both travel in a header), one far. */
const timeOf = (c: Click): number =>
  c.n % 5 === 4 ? Number.NaN : c.n === 3 ? -30 : c.n === 6 ? 1_700_000_000_000 : c.n * 10;

/** Writes `elements` and records what each partition should get from this writer. */
async function write(writer: RepartitionSinkWriter, expected: Entry[][], elements: Click[]) {
  const times = elements.map(timeOf);
  await writer.write(batch(elements, times));
  elements.forEach((element, i) => {
    expected[partitionOf(element)].push({ element, time: times[i] });
  });
}

const toAll = (expected: Entry[][], entry: Entry) => {
  for (const list of expected) list.push(entry);
};
const noEntries = (): Entry[][] => Array.from({ length: TASKS }, () => []);

/** Every partition's committed records, split by writer into element and control entries, in order. */
async function readBack(topic: string): Promise<Map<number, Entry[]>[]> {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const partitions = Array.from({ length: TASKS }, (_, partition) => ({ topic, partition }));
    const stable = await consumer.listOffsets(partitions, 'latest');
    const result: Map<number, Entry[]>[] = [];
    for (const tp of partitions) {
      const end = stable.get(`${topic}-${tp.partition}`) ?? 0n;
      const records = [];
      for (let offset = 0n; offset < end; ) {
        const [fetched] = await consumer.fetch([{ ...tp, offset }], 100);
        if (fetched === undefined) break;
        records.push(...fetched.records);
        offset = fetched.nextOffset;
      }
      const { batch: data, controls } = decodeRepartitionRecords(records, tp);
      const byWriter = new Map<number, Entry[]>();
      const entriesOf = (w: number) => byWriter.get(w) ?? byWriter.set(w, []).get(w)!;
      let next = 0;
      const elementsUpTo = (at: number) => {
        for (; next < at; next++) {
          const element = data.values[next] as Click;
          entriesOf(element.writer).push({ element, time: data.timestamps[next] });
        }
      };
      for (const { at, event } of controls) {
        elementsUpTo(at);
        if (event.kind === 'watermark') entriesOf(event.writer).push({ watermark: event.time });
        else if (event.kind === 'end') entriesOf(event.writer).push({ end: true });
        else assert.fail(`unexpected ${event.kind} record`);
      }
      elementsUpTo(data.values.length);
      result.push(byWriter);
    }
    return result;
  } finally {
    await consumer.close();
  }
}

test('two tasks write their key groups, watermarks and end; only committed records are visible', {
  timeout: 20_000,
}, async () => {
  const topic = 'rp-repartition-0';
  await makeTopic(broker.bootstrap, topic, TASKS);
  const [clock0, clock1] = [new ManualClock(0), new ManualClock(0)];
  const w0 = await openWriter(topic, 'rp', 0, clock0);
  const w1 = await openWriter(topic, 'rp', 1, clock1);
  const [expected0, expected1] = [noEntries(), noEntries()];

  // Task 0: a checkpoint with records after its barrier, a watermark held back by the interval until
  // the next barrier, then the end of its input.
  await write(w0, expected0, clicks(0, 0, 12));
  await w0.watermark(100);
  toAll(expected0, { watermark: 100 });
  await w0.prepareCommit(1);
  await write(w0, expected0, clicks(0, 12, 6));
  await w0.commit(1, []);
  await w0.watermark(170); // within 200 ms of the last one: held back
  clock0.advance(200);
  await w0.prepareCommit(2);
  toAll(expected0, { watermark: 170 });
  await w0.commit(2, []);
  await write(w0, expected0, clicks(0, 18, 6));
  clock0.advance(200);
  await w0.watermark(230);
  toAll(expected0, { watermark: 230 });
  await w0.flush();
  toAll(expected0, { end: true });

  // Task 1: a held-back watermark goes out before the next batch; what follows its last commit is
  // aborted when it closes.
  await write(w1, expected1, clicks(1, 100, 9));
  await w1.watermark(50);
  toAll(expected1, { watermark: 50 });
  await w1.watermark(60);
  clock1.advance(250);
  await w1.prepareCommit(1);
  toAll(expected1, { watermark: 60 });
  await w1.commit(1, []);
  await w1.watermark(70);
  clock1.advance(200);
  await write(w1, expected1, clicks(1, 109, 5));
  expected1.forEach((list) => {
    list.splice(-list.filter((e) => 'element' in e && e.element.n >= 109).length, 0, { watermark: 70 });
  });
  await w1.prepareCommit(2);
  await w1.commit(2, []);
  await write(w1, noEntries(), clicks(1, 200, 8)); // never committed
  clock1.advance(200);
  await w1.watermark(900);
  await w1.prepareCommit(3);

  const beforeClose = await readBack(topic);
  await w1.close();
  await w0.close();
  const read = await readBack(topic);
  assert.deepEqual(read, beforeClose, 'an open transaction shows nothing, before or after its abort');

  for (let partition = 0; partition < TASKS; partition++) {
    assert.deepEqual(read[partition].get(0), expected0[partition], `task 0 in partition ${partition}`);
    assert.deepEqual(read[partition].get(1), expected1[partition], `task 1 in partition ${partition}`);
    assert.deepEqual([...read[partition].keys()].sort(), [0, 1], 'nothing from another writer');
  }
  // The keys spread over every partition, so each one checked placement and order.
  for (const expected of [expected0, expected1])
    assert.ok(expected.every((list) => list.some((e) => 'element' in e)));
});

test('a writer closed without committing leaves nothing visible', { timeout: 20_000 }, async () => {
  const topic = 'abort-repartition-0';
  await makeTopic(broker.bootstrap, topic, TASKS);
  const writer = await openWriter(topic, 'abort', 2, new ManualClock(0));
  await write(writer, noEntries(), clicks(2, 0, 20));
  await writer.watermark(1_000);
  await writer.prepareCommit(1);
  await writer.close();

  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const partitions = Array.from({ length: TASKS }, (_, partition) => ({ topic, partition }));
    const fetched = await consumer.fetch(
      partitions.map((tp) => ({ ...tp, offset: 0n })),
      100,
    );
    // Each partition held records (at least the watermark) and the abort marker, none of them readable.
    assert.equal(fetched.length, TASKS);
    for (const p of fetched) {
      assert.deepEqual(p.records, [], `partition ${p.partition}`);
      assert.ok(p.nextOffset >= 2n, `partition ${p.partition} was written to, then aborted`);
    }
  } finally {
    await consumer.close();
  }
});

test('a failing key selector and a record that is not plain data name the operator', {
  timeout: 20_000,
}, async () => {
  const topic = 'bad-repartition-0';
  await makeTopic(broker.bootstrap, topic, TASKS);
  const writer = await openWriter(topic, 'bad', 0, new ManualClock(0));
  try {
    await assert.rejects(writer.write(batch([null])), (e) => {
      return (
        isStreamError(e, 'ENG_USER_FUNCTION_FAILED') &&
        /^operator "repartition 0 \(task 0\) \(key selector\)" failed on element null/.test(e.message)
      );
    });
    class Reading {
      readonly user = 'a';
    }
    await assert.rejects(writer.write(batch([{ user: 'b' }, new Reading()])), (e) => {
      return (
        isStreamError(e, 'ENG_RECORD_NOT_SERIALIZABLE') &&
        /^operator "repartition 0 \(task 0\)": record 1 of a batch cannot be written to repartition topic "bad-repartition-0": the record is an instance of class Reading/.test(
          e.message,
        ) &&
        e.details.operator === 'repartition 0 (task 0)'
      );
    });
  } finally {
    await writer.close();
  }
});
