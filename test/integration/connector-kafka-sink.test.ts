// The Kafka source and sink connectors against a real broker (driven by hand: open, poll/write, close).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isStreamError } from '../../src/common/errors.ts';
import { KafkaSinkWriter, kafkaSink } from '../../src/connectors/kafka/kafka-sink.ts';
import { batch, sinkContext } from '../../src/connectors/shared/testing.ts';
import { PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import type { DeadLetter } from '../../src/plan/connectors.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { makeTopic } from './connector-kafka-helpers.ts';

let broker: TestBroker;
before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  await broker.stop();
});

type Config = ConstructorParameters<typeof KafkaSinkWriter>[0];

async function write(config: Config, values: unknown[], timestamps?: number[]): Promise<void> {
  const writer = new KafkaSinkWriter(config);
  await writer.open(sinkContext({ bootstrap: broker.bootstrap }));
  try {
    await writer.write(batch(values, timestamps));
    await writer.flush();
  } finally {
    await writer.close();
  }
}

/** Every record of the topic's partitions, read back with a plain fetch. */
async function readBack(topic: string, partitions: number) {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const positions = Array.from({ length: partitions }, (_, partition) => ({
      topic,
      partition,
      offset: 0n,
    }));
    const fetched = await consumer.fetch(positions, 100);
    return fetched.flatMap((p) =>
      p.records.map((r) => ({
        partition: p.partition,
        key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null,
        timestamp: r.timestamp,
      })),
    );
  } finally {
    await consumer.close();
  }
}

test('json values with keys; the key picks the partition as the Java client would', async () => {
  await makeTopic(broker.bootstrap, 'out-json', 4);
  const values = [
    { user: '21', n: 1 },
    { user: 'foobar', n: 2 },
    { user: '21', n: 3 },
    { user: 'abc', n: 4 },
  ];
  await write({ topic: 'out-json', format: 'json', key: (v) => (v as { user: string }).user }, values, [
    1_000,
    2_000,
    Number.NaN,
    4_000,
  ]);
  const records = await readBack('out-json', 4);
  assert.equal(records.length, 4);
  // Java: toPositive(murmur2(key)) % 4 — "21" → 0, "foobar" → 2, "abc" → 3.
  const byUser = new Map(records.map((r) => [r.key, r.partition]));
  assert.deepEqual(Object.fromEntries(byUser), { '21': 0, foobar: 2, abc: 3 });
  const p0 = records.filter((r) => r.partition === 0);
  assert.deepEqual(
    p0.map((r) => JSON.parse(r.value ?? 'null')),
    [values[0], values[2]],
    'order kept within a key',
  );
  assert.equal(p0[0].timestamp, 1_000, 'the element timestamp becomes the record timestamp');
  assert.ok(p0[1].timestamp > 1_000_000_000_000, 'no element timestamp: the time of sending');
});

test('string and custom formats, null keys, and guarantee none', async () => {
  await makeTopic(broker.bootstrap, 'out-text', 1);
  await write({ topic: 'out-text', format: 'string', key: () => null }, ['plain', 42]);
  await write({ topic: 'out-text', format: { serialize: (v) => new TextEncoder().encode(`<${v}>`) } }, ['x']);
  await write({ topic: 'out-text', format: 'string', guarantee: 'none' }, ['fire', 'forget']);
  // acks=0: the broker appends after the client has moved on, so wait for the records to show up.
  let records = await readBack('out-text', 1);
  for (let i = 0; i < 100 && records.length < 5; i++) {
    await new Promise((r) => setTimeout(r, 20));
    records = await readBack('out-text', 1);
  }
  assert.deepEqual(
    records.map((r) => [r.key, r.value]),
    [
      [null, 'plain'],
      [null, '42'],
      [null, '<x>'],
      [null, 'fire'],
      [null, 'forget'],
    ],
  );
});

test('a dead-letter sink is a kafka sink of DeadLetter objects', async () => {
  await makeTopic(broker.bootstrap, 'dead-letters', 1);
  const letter: DeadLetter = {
    error: 'invalid JSON',
    source: 'clicks',
    value: Buffer.from('{oops').toString('base64'),
    key: null,
    origin: { topic: 'clicks', partition: 0, offset: 7 },
    timestamp: 5,
  };
  const descriptor = kafkaSink<DeadLetter>({ topic: 'dead-letters', format: 'json' });
  await write(descriptor.config as Config, [letter]);
  const [record] = await readBack('dead-letters', 1);
  assert.deepEqual(JSON.parse(record.value ?? ''), letter);
});

test('a value JSON cannot hold or a throwing key function fails the write with a clear error', async () => {
  await makeTopic(broker.bootstrap, 'out-bad', 1);
  await assert.rejects(write({ topic: 'out-bad', format: 'json' }, [{ n: 1n }]), (e) =>
    isStreamError(e, 'CON_RECORD_UNWRITABLE'),
  );
  await assert.rejects(
    write(
      {
        topic: 'out-bad',
        format: 'json',
        key: () => {
          throw new Error('no key');
        },
      },
      [{ n: 1 }],
    ),
    (e) => isStreamError(e, 'ENG_USER_FUNCTION_FAILED') && /no key/.test(e.message),
  );
  await assert.rejects(
    write({ topic: 'out-bad', format: { serialize: () => 7 as unknown as string } }, [1]),
    (e) => isStreamError(e, 'CON_RECORD_UNWRITABLE') && /serialize\(\) returned number/.test(e.message),
  );
  assert.deepEqual(await readBack('out-bad', 1), []);
});

test('an unreachable cluster fails open with CON_KAFKA_UNAVAILABLE', async () => {
  const writer = new KafkaSinkWriter({ topic: 't', format: 'json', bootstrap: '127.0.0.1:1' });
  await assert.rejects(
    writer.open(sinkContext()),
    (e) =>
      isStreamError(e, 'CON_KAFKA_UNAVAILABLE') &&
      e.message.includes('kafka sink') &&
      e.message.includes('127.0.0.1:1'),
  );
});

test('the builder rejects an unknown guarantee', () => {
  assert.throws(
    () => kafkaSink({ topic: 't', format: 'json', guarantee: 'exactly-twice' as 'none' }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /"guarantee": expected one of "exactly-once"\|"at-least-once"\|"none"/.test(e.message),
  );
});
