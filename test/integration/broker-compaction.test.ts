// Log compaction through the real broker: @platformatic/kafka produces many updates of a few keys (every
// codec, idempotent, a tombstone) to a cleanup.policy=compact topic with small segments; after compactNow
// a platformatic consumer and kcat (librdkafka) read from the beginning and get the latest value per key,
// at its original offset, across the empty batches compaction leaves.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Admin,
  Consumer,
  type Message,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { readBatches, readRecords } from '../../src/broker/compaction/test-support/records.ts';
import { kcatMissing, kcatOk } from '../compat/kcat/kcat.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';

const TOPIC = 'compacted-state';
const KEYS = 8;
const ROUNDS = 40;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

let broker: TestBroker;
let admin: Admin;
let producer: Producer<string, string, string, string>;
/** What was produced, in offset order (one partition, sequential sends). */
const produced: { key: string; value: string | null }[] = [];

before(async () => {
  broker = await startTestBroker();
  admin = new Admin({ clientId: 'compaction-admin', bootstrapBrokers: [broker.bootstrap] });
  producer = new Producer({
    clientId: 'compaction-producer',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    idempotent: true,
  });
});
after(async () => {
  await producer?.close();
  await admin?.close();
  await broker?.stop();
});

/** Reads `count` messages from the beginning with a platformatic consumer. */
async function consumeAll(count: number): Promise<Message<string, string, string, string>[]> {
  const consumer = new Consumer({
    clientId: 'compaction-reader',
    groupId: `compaction-reader-${Date.now()}`,
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 100,
    autocommit: false,
  });
  try {
    const stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest' });
    const read: Message<string, string, string, string>[] = [];
    for await (const message of stream) {
      read.push(message);
      if (read.length === count) break;
    }
    await stream.close();
    return read;
  } finally {
    await consumer.close(true);
  }
}

test('a compacted topic read from the beginning holds the latest value per key', {
  timeout: 60_000,
}, async () => {
  await admin.createTopics({
    topics: [TOPIC],
    partitions: 1,
    replicas: 1,
    configs: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.bytes', value: '1024' },
    ],
  });
  // Round 0 comes from another idempotent producer that then goes quiet: once its records are superseded,
  // its batch stays as an empty batch holding its last sequence, which every client must step over.
  const first = new Producer({
    clientId: 'compaction-first',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    idempotent: true,
  });
  for (let round = 0; round < ROUNDS; round++) {
    const messages = Array.from({ length: KEYS }, (_, k) => {
      // The last round deletes the last key: a tombstone, kept for delete.retention.ms (a day by default).
      const value =
        round === ROUNDS - 1 && k === KEYS - 1 ? null : `round${round}-key${k}-${'.'.repeat(round * 2)}`;
      return { key: `key${k}`, value };
    });
    await (round === 0 ? first : producer).send({
      acks: -1,
      compression: CODECS[round % CODECS.length],
      messages: messages.map((m) => ({
        topic: TOPIC,
        partition: 0,
        key: m.key,
        value: m.value ?? undefined,
      })),
    });
    produced.push(...messages);
    if (round === 0) await first.close();
  }
  const log = broker.state.topics.partition(TOPIC, 0)!;
  assert.equal(log.logEndOffset, produced.length);
  const segmentsBefore = log.segmentBaseOffsets.length;
  assert.ok(segmentsBefore > 5, `several segments (${segmentsBefore})`);

  const reports = await broker.state.topics.compactNow({ topic: TOPIC });
  assert.equal(reports.length, 1);
  assert.equal(reports[0].cleaned, true);
  const cleanEnd = reports[0].cleanedUpTo;
  assert.ok(cleanEnd > produced.length / 2, 'most of the log was compactable');

  // What the log now holds: per key, only its latest record below the cleaned end, and all records above.
  const latestBelow = new Map<string, number>();
  produced.forEach((m, offset) => {
    if (offset < cleanEnd) latestBelow.set(m.key, offset);
  });
  const expected = produced
    .map((m, offset) => ({ ...m, offset }))
    .filter((m) => m.offset >= cleanEnd || latestBelow.get(m.key) === m.offset);
  const stored = await readRecords(log);
  assert.deepEqual(
    stored.map((r) => r.offset),
    expected.map((m) => m.offset),
  );
  const empty = (await readBatches(log)).filter((b) => b.records.length === 0);
  assert.deepEqual(
    empty.map((b) => [b.baseOffset, b.lastOffsetDelta, b.baseSequence]),
    [[0, KEYS - 1, 0]],
    'the quiet producer keeps its last sequence in an empty batch',
  );

  const read = await consumeAll(expected.length);
  assert.deepEqual(
    read.map((m) => [Number(m.offset), m.key, m.value ?? null]),
    expected.map((m) => [m.offset, m.key, m.value === null ? null : m.value]),
  );
  const last = new Map(read.map((m) => [m.key, m.value ?? null]));
  for (let k = 0; k < KEYS; k++) {
    const want = k === KEYS - 1 ? null : `round${ROUNDS - 1}-key${k}-${'.'.repeat((ROUNDS - 1) * 2)}`;
    assert.equal(last.get(`key${k}`) || null, want, `key${k}`);
  }
});

test('kcat (librdkafka) reads the compacted topic the same way', {
  skip: kcatMissing() ?? false,
  timeout: 30_000,
}, async () => {
  const out = await kcatOk(['-C', '-b', broker.bootstrap, '-t', TOPIC, '-J', '-e', '-o', 'beginning', '-q']);
  const read = out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { offset: number; key: string; payload: string | null });
  const stored = await readRecords(broker.state.topics.partition(TOPIC, 0)!);
  assert.deepEqual(
    read.map((m) => [m.offset, m.key, m.payload]),
    stored.map((r) => [r.offset, r.key, r.value]),
  );
  assert.ok(read.length < produced.length / 2);
});
