// The Kafka source and sink connectors against a real broker (driven by hand: open, poll/write, close).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isStreamError } from '../../src/common/errors.ts';
import { ManualClock } from '../../src/common/time.ts';
import { COMMIT_INTERVAL_MS, KafkaSourceReader } from '../../src/connectors/kafka/kafka-reader.ts';
import { kafkaSource } from '../../src/connectors/kafka/kafka-source.ts';
import { drain, sourceContext } from '../../src/connectors/shared/testing.ts';
import type { SourceContext } from '../../src/engine/source.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic, produce } from './connector-kafka-helpers.ts';

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

type Config = ConstructorParameters<typeof KafkaSourceReader>[0];

/** Opens a reader, drains it (bounded configs) or polls `polls` times, and closes it. */
async function read(config: Config, ctx: Partial<SourceContext> = {}, polls?: number) {
  const reader = new KafkaSourceReader(config);
  await reader.open(sourceContext({ bootstrap: broker.bootstrap, ...ctx }));
  try {
    return await drain(reader, { maxWaitMs: 50, maxPolls: polls });
  } finally {
    await reader.close();
  }
}

test('json values with Kafka timestamps; undecodable values become bad records with their origin', async () => {
  await makeTopic(broker.bootstrap, 'json-in', 1);
  await produce(broker.bootstrap, 'json-in', [
    { value: '{"n":1}', timestamp: 1_000 },
    { value: '{broken', key: 'k', timestamp: 2_000 },
    { value: '{"n":2}', timestamp: 3_000 },
    { value: null, timestamp: 4_000 },
  ]);
  const out = await read({ topics: ['json-in'], startFrom: 'earliest', format: 'json', stopAtEnd: true });
  assert.deepEqual(out.values, [{ n: 1 }, { n: 2 }, null]);
  assert.deepEqual(
    out.chunks.flatMap((c) => c.timestamps),
    [1_000, 3_000, 4_000],
  );
  assert.equal(out.bad.length, 1);
  const bad = out.bad[0];
  assert.deepEqual(bad.origin, { topic: 'json-in', partition: 0, offset: 1 });
  assert.equal(Buffer.from(bad.value ?? []).toString(), '{broken');
  assert.equal(Buffer.from(bad.key ?? []).toString(), 'k');
  assert.equal(bad.timestamp, 2_000);
  assert.match(bad.error, /cannot deserialize/);
  assert.deepEqual(out.ended, ['json-in-0']);
});

test('partitions are divided over 2 subtasks by index; chunks respect batchSize', async () => {
  await makeTopic(broker.bootstrap, 'multi', 4);
  const records = [0, 1, 2, 3].flatMap((partition) =>
    Array.from({ length: 5 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
  );
  await produce(broker.bootstrap, 'multi', records);
  const config: Config = { topics: ['multi'], startFrom: 'earliest', format: 'string', stopAtEnd: true };
  const zero = await read(config, { subtaskIndex: 0, parallelism: 2, batchSize: 2 });
  const one = await read(config, { subtaskIndex: 1, parallelism: 2, batchSize: 2 });
  assert.deepEqual([...new Set(zero.chunks.map((c) => c.split))].sort(), ['multi-0', 'multi-2']);
  assert.deepEqual([...new Set(one.chunks.map((c) => c.split))].sort(), ['multi-1', 'multi-3']);
  assert.ok([...zero.chunks, ...one.chunks].every((c) => c.values.length <= 2));
  assert.deepEqual(zero.ended.sort(), ['multi-0', 'multi-2']);
  const perPartition = (values: unknown[], p: number) => values.filter((v) => String(v).startsWith(`p${p}-`));
  assert.deepEqual(perPartition(zero.values, 2), ['p2-0', 'p2-1', 'p2-2', 'p2-3', 'p2-4'], 'in offset order');
  assert.equal(zero.values.length + one.values.length, 20);
});

test('the first poll announces every assigned split, before any data', async () => {
  await makeTopic(broker.bootstrap, 'announce', 2);
  const reader = new KafkaSourceReader({ topics: ['announce'], startFrom: 'earliest', format: 'string' });
  await reader.open(sourceContext({ bootstrap: broker.bootstrap }));
  try {
    const first = await reader.poll(0);
    assert.deepEqual(
      first?.map((c) => [c.split, c.values.length]),
      [
        ['announce-0', 0],
        ['announce-1', 0],
      ],
    );
    const started = Date.now();
    assert.deepEqual(await reader.poll(50), [], 'no data: an empty answer after about maxWaitMs');
    assert.ok(Date.now() - started < 5_000);
  } finally {
    await reader.close();
  }
});

test('startFrom latest sees only records produced after open', async () => {
  await makeTopic(broker.bootstrap, 'latest', 1);
  await produce(broker.bootstrap, 'latest', [{ value: 'old' }]);
  const reader = new KafkaSourceReader({ topics: ['latest'], startFrom: 'latest', format: 'string' });
  await reader.open(sourceContext({ bootstrap: broker.bootstrap }));
  try {
    await produce(broker.bootstrap, 'latest', [{ value: 'new' }]);
    const out = await drain(reader, { maxWaitMs: 200, until: (d) => d.values.length > 0, maxPolls: 50 });
    assert.deepEqual(out.values, ['new']);
  } finally {
    await reader.close();
  }
});

test('startFrom a timestamp begins at the first record at or after it', async () => {
  await makeTopic(broker.bootstrap, 'by-time', 1);
  await produce(broker.bootstrap, 'by-time', [
    { value: 'a', timestamp: 1_000 },
    { value: 'b', timestamp: 2_000 },
    { value: 'c', timestamp: 3_000 },
  ]);
  const config: Omit<Config, 'startFrom'> = { topics: ['by-time'], format: 'string', stopAtEnd: true };
  assert.deepEqual((await read({ ...config, startFrom: { timestamp: 1_500 } })).values, ['b', 'c']);
  assert.deepEqual((await read({ ...config, startFrom: { timestamp: 9_000 } })).values, []);
});

test('startFrom committed resumes after what an earlier run handed out and committed at close', async () => {
  await makeTopic(broker.bootstrap, 'resume', 1);
  await produce(broker.bootstrap, 'resume', [{ value: '1' }, { value: '2' }, { value: '3' }]);
  const config: Config = {
    topics: ['resume'],
    startFrom: 'committed',
    format: 'string',
    groupId: 'resume-group',
  };
  // No committed offset yet: start at the beginning. Take one chunk of 2 and stop; '3' was fetched
  // but never handed out, so it must not count as consumed.
  const first = new KafkaSourceReader(config);
  await first.open(sourceContext({ bootstrap: broker.bootstrap, batchSize: 2 }));
  const out = await drain(first, { maxWaitMs: 200, until: (d) => d.values.length >= 2, maxPolls: 50 });
  assert.deepEqual(out.values, ['1', '2']);
  await first.close();
  assert.deepEqual((await read({ ...config, stopAtEnd: true })).values, ['3']);
  assert.deepEqual(
    (await read({ ...config, stopAtEnd: true })).values,
    [],
    'the second run committed at close',
  );
});

test('positions are committed every few seconds of job-clock time while running', async () => {
  await makeTopic(broker.bootstrap, 'periodic', 1);
  await produce(broker.bootstrap, 'periodic', [{ value: 'a' }, { value: 'b' }]);
  const clock = new ManualClock(0);
  const reader = new KafkaSourceReader({
    topics: ['periodic'],
    startFrom: 'earliest',
    format: 'string',
    groupId: 'periodic-group',
  });
  await reader.open(sourceContext({ bootstrap: broker.bootstrap, clock }));
  const lookup = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    await drain(reader, { maxWaitMs: 200, until: (d) => d.values.length >= 2, maxPolls: 50 });
    await reader.poll(0);
    const committed = () => lookup.committedOffsets('periodic-group', [{ topic: 'periodic', partition: 0 }]);
    assert.equal((await committed()).size, 0, 'nothing before the interval');
    clock.advance(COMMIT_INTERVAL_MS);
    await reader.poll(0);
    // The commit runs beside the polls; wait for it to land.
    let offset: bigint | undefined;
    for (let i = 0; i < 100 && offset === undefined; i++) {
      offset = (await committed()).get('periodic-0');
      if (offset === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(offset, 2n);
  } finally {
    await reader.close();
    await lookup.close();
  }
});

test('a custom deserializer gets value, key and headers; when it throws the record is bad', async () => {
  await makeTopic(broker.bootstrap, 'custom', 1);
  await produce(broker.bootstrap, 'custom', [
    { key: 'k1', value: 'v1', headers: { source: 'test' } },
    { key: 'k2', value: 'boom' },
  ]);
  const out = await read({
    topics: ['custom'],
    startFrom: 'earliest',
    stopAtEnd: true,
    format: {
      deserialize: (value, key, headers) => {
        const text = Buffer.from(value ?? []).toString();
        if (text === 'boom') throw new Error('cannot parse boom');
        return { key: Buffer.from(key ?? []).toString(), text, headers };
      },
    },
  });
  assert.deepEqual(out.values, [{ key: 'k1', text: 'v1', headers: { source: 'test' } }]);
  assert.match(out.bad[0].error, /cannot parse boom/);
  assert.equal(out.bad[0].origin.offset, 1);
});

test('stopAtEnd with empty partitions or no partitions for this subtask ends at once', async () => {
  await makeTopic(broker.bootstrap, 'empty', 1);
  const config: Config = { topics: ['empty'], startFrom: 'earliest', format: 'string', stopAtEnd: true };
  assert.deepEqual((await read(config)).ended, ['empty-0']);
  assert.deepEqual((await read(config, { subtaskIndex: 1, parallelism: 2 })).chunks, []);
});

test('a missing topic fails open with CON_KAFKA_TOPIC_NOT_FOUND', async () => {
  const reader = new KafkaSourceReader({ topics: ['no-such-topic'], startFrom: 'earliest', format: 'json' });
  await assert.rejects(
    reader.open(sourceContext({ bootstrap: broker.bootstrap })),
    (e) => isStreamError(e, 'CON_KAFKA_TOPIC_NOT_FOUND') && e.message.includes('"no-such-topic"'),
  );
});

test('an unreachable cluster fails open with CON_KAFKA_UNAVAILABLE naming the address', async () => {
  const reader = new KafkaSourceReader({
    topics: ['t'],
    startFrom: 'earliest',
    format: 'json',
    bootstrap: '127.0.0.1:1',
  });
  await assert.rejects(
    reader.open(sourceContext()),
    (e) =>
      isStreamError(e, 'CON_KAFKA_UNAVAILABLE') &&
      e.message.includes('127.0.0.1:1') &&
      e.domain === 'external',
  );
});

test('no bootstrap anywhere is a config error; the builder checks startFrom', async () => {
  const reader = new KafkaSourceReader({ topics: ['t'], startFrom: 'earliest', format: 'json' });
  await assert.rejects(
    reader.open(sourceContext()),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /--bootstrap/.test(e.message),
  );
  assert.throws(
    () => kafkaSource({ topics: ['t'], startFrom: 'beginning' as 'earliest', format: 'json' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /"startFrom": must be "earliest", "latest", "committed"/.test(e.message),
  );
  assert.equal(
    kafkaSource({ topics: ['t'], startFrom: 'earliest', format: 'json', stopAtEnd: true }).bounded,
    true,
  );
});
