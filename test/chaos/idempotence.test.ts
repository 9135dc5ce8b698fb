// Idempotent producers of three real clients while the broker loses ~10% of Produce responses AFTER
// appending (the connection closes instead of answering, so the client retries a batch that is already
// stored). Reading everything back with kcat, the history must show: every acknowledged record present,
// at the offset the producer was told, no duplicates, one value per offset.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { FaultInjector } from '../../src/broker/index.ts';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { kcatMissing } from '../compat/kcat/kcat.ts';
import { jsonLines, runOk } from '../compat/support/child-process.ts';
import { findPython } from '../compat/support/python.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { type AckedRecord, checkHistory, describeViolations } from './checker.ts';
import { readTopic } from './read-back.ts';

const COUNT = Number(process.env.EDDY_CHAOS_RECORDS ?? 3000);
const PARTITIONS = 3;
const DROP_PROBABILITY = 0.1;
const python = findPython('confluent_kafka');
const noKcat = kcatMissing();

let broker: TestBroker;
const faults = new FaultInjector({ seed: Number(process.env.EDDY_CHAOS_SEED ?? 20240601) });

before(async () => {
  broker = await startTestBroker({ faults, durability: 'fsync' });
});
after(async () => {
  await broker?.stop();
});

/** Creates the topic, then starts losing its Produce responses; returns the rule's index. */
async function lossyTopic(topic: string): Promise<number> {
  await withAdmin({ bootstrap: broker.bootstrap }, (admin) => createTopic(admin, topic, PARTITIONS, {}));
  faults.add({ apiKey: 0, topic, action: { type: 'drop-response' }, probability: DROP_PROBABILITY });
  return faults.hits().length - 1;
}

async function check(
  t: TestContext,
  topic: string,
  acked: AckedRecord[],
  attempted: string[],
  rule: number,
): Promise<void> {
  const lost = faults.hits()[rule];
  t.diagnostic(`${lost} Produce responses dropped after the append`);
  assert.ok(lost > 0, 'no Produce response was dropped: the test proved nothing');
  const consumed = await readTopic(broker.bootstrap, topic);
  const violations = checkHistory({ acked, consumed, attempted });
  assert.equal(
    violations.length,
    0,
    `${topic} (${lost} responses dropped):\n${describeViolations(violations)}`,
  );
  assert.equal(acked.length, COUNT, 'every record was acknowledged in the end');
  assert.equal(consumed.length, COUNT);
}

/** Values `prefix-0..n-1` in sends of `size`, each value to partition i % PARTITIONS. */
function chunks(prefix: string, size: number): { value: string; partition: number }[][] {
  const all = Array.from({ length: COUNT }, (_, i) => ({
    value: `${prefix}-${i}`,
    partition: i % PARTITIONS,
  }));
  return Array.from({ length: Math.ceil(COUNT / size) }, (_, c) => all.slice(c * size, (c + 1) * size));
}

/** Acked records of one send, given each partition's base offset (a partition's records are in order). */
function ackedOf(chunk: { value: string; partition: number }[], base: Map<number, number>): AckedRecord[] {
  const next = new Map(base);
  return chunk.map(({ value, partition }) => {
    const offset = next.get(partition) as number;
    next.set(partition, offset + 1);
    return { value, partition, offset };
  });
}

test('@platformatic/kafka idempotent producer under lost responses', {
  skip: noKcat ?? false,
  timeout: 60_000,
}, async (t) => {
  const topic = 'chaos-platformatic';
  const rule = await lossyTopic(topic);
  const producer = new Producer({
    clientId: 'chaos-platformatic',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    idempotent: true,
    retries: 20,
    retryDelay: 20,
    timeout: 5_000,
  });
  const acked: AckedRecord[] = [];
  const attempted: string[] = [];
  try {
    for (const chunk of chunks('pl', 25)) {
      attempted.push(...chunk.map((m) => m.value));
      const result = await producer.send({
        messages: chunk.map((m) => ({ topic, value: m.value, partition: m.partition })),
        acks: -1,
      });
      const base = new Map((result.offsets ?? []).map((o) => [o.partition, Number(o.offset)]));
      acked.push(...ackedOf(chunk, base));
    }
  } finally {
    await producer.close();
  }
  await check(t, topic, acked, attempted, rule);
});

test('kafkajs idempotent producer (maxInFlightRequests 1) under lost responses', {
  skip: noKcat ?? false,
  timeout: 60_000,
}, async (t) => {
  const topic = 'chaos-kafkajs';
  const rule = await lossyTopic(topic);
  const kafka = new Kafka({
    clientId: 'chaos-kafkajs',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 20, maxRetryTime: 200, retries: 20 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acked: AckedRecord[] = [];
  const attempted: string[] = [];
  try {
    for (const chunk of chunks('kj', 25)) {
      attempted.push(...chunk.map((m) => m.value));
      const result = await producer.send({
        topic,
        acks: -1,
        messages: chunk.map((m) => ({ value: m.value, partition: m.partition })),
      });
      const base = new Map(result.map((r) => [r.partition, Number(r.baseOffset)]));
      acked.push(...ackedOf(chunk, base));
    }
  } finally {
    await producer.disconnect();
  }
  await check(t, topic, acked, attempted, rule);
});

test('confluent-kafka (librdkafka) enable.idempotence under lost responses', {
  skip: (python === null ? 'python3-confluent-kafka is not installed' : null) ?? noKcat ?? false,
  timeout: 90_000,
}, async (t) => {
  const topic = 'chaos-confluent';
  const rule = await lossyTopic(topic);
  const out = await runOk(
    python as string,
    [join(import.meta.dirname, 'idempotent_producer.py')],
    { EDDY_BOOTSTRAP: broker.bootstrap, EDDY_TOPIC: topic, EDDY_PREFIX: 'ck', EDDY_COUNT: String(COUNT) },
    80_000,
  );
  const lines = jsonLines<AckedRecord | { errors: string[]; left: number }>(out);
  const summary = lines.at(-1) as { errors: string[]; left: number };
  assert.deepEqual([summary.errors.slice(0, 5), summary.left], [[], 0], 'every record delivered');
  const acked = lines.slice(0, -1) as AckedRecord[];
  const attempted = Array.from({ length: COUNT }, (_, i) => `ck-${i}`);
  await check(t, topic, acked, attempted, rule);
});
