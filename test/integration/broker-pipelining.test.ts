// Pipelined Produce requests on one connection in `fsync` mode: each request is appended in order while
// earlier ones wait for their fdatasync, so one group commit covers many requests; answers stay in
// request order, idempotent sequences are checked in order, other requests still wait their turn, and a
// client that leaves with answers pending harms nothing. fdatasync is slowed down in this process so
// that the waits overlap on any disk (tmpfs included); the tests count flushes, they never time.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { open, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeRequestFrame } from '../../src/protocol/index.ts';
import {
  INIT_PRODUCER_ID_SCHEMA,
  LIST_OFFSETS_SCHEMA,
  PRODUCE_SCHEMA,
} from '../../src/protocol/messages/index.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import {
  createTopic,
  fetch,
  fetchBody,
  fetchedValues,
  type PartitionAnswer,
  produceRaw,
  records,
} from './data-path-helpers.ts';

const FLUSH_DELAY_MS = 100;
let broker: TestBroker;
let restoreDatasync: () => void;
/** Makes every fdatasync in this process fail (the last test only: a failed log stays failed). */
let failDatasync = false;

before(async () => {
  const probePath = join(tmpdir(), `eddy-pipelining-probe-${process.pid}`);
  const probe = await open(probePath, 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  await rm(probePath, { force: true });
  const original = proto.datasync;
  proto.datasync = async function (this: unknown) {
    await new Promise((resolve) => setTimeout(resolve, FLUSH_DELAY_MS));
    if (failDatasync) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    return original.call(this);
  };
  restoreDatasync = () => {
    proto.datasync = original;
  };
  broker = await startTestBroker({ durability: 'fsync' });
});

after(async () => {
  await broker.stop();
  restoreDatasync();
});

function flushes(topic: string): number {
  const log = broker.state.topics.partition(topic, 0);
  assert.ok(log !== undefined);
  return log.flushCount;
}

function batch(value: string): Buffer {
  return encodeRecordBatch(records(value));
}

test('one request at a time pays one flush each (the counter works)', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'serial');
    const before = flushes('serial');
    for (let i = 0; i < 4; i++)
      assert.equal((await produceRaw(socket, 'serial', 0, batch(`v${i}`))).errorCode, 0);
    assert.equal(flushes('serial') - before, 4);
  } finally {
    socket.close();
  }
});

test('pipelined produces share fdatasyncs and are answered in order with consecutive offsets', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'piped');
    const before = flushes('piped');
    const count = 16;
    // Not awaited one by one: all requests are on the wire before the first answer. KafkaSocket checks
    // that each answer carries the correlation id of the request it pairs with, i.e. the order.
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => produceRaw(socket, 'piped', 0, batch(`v${i}`), { acks: -1 })),
    );
    assert.deepEqual(
      answers.map((a) => [a.errorCode, a.baseOffset]),
      Array.from({ length: count }, (_, i) => [0, i]),
    );
    const used = flushes('piped') - before;
    assert.ok(used <= 4, `${count} pipelined requests took ${used} flushes`);
    const fetched = await fetch(socket, fetchBody([{ topic: 'piped', partition: 0, offset: 0 }]));
    assert.equal(fetchedValues(fetched.responses[0].partitions[0]).length, count);
  } finally {
    socket.close();
  }
});

test('pipelined idempotent batches pass their sequence checks in request order', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'idem');
    const init = await socket.request<{ errorCode: number; producerId: number; producerEpoch: number }>(
      INIT_PRODUCER_ID_SCHEMA,
      4,
      { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
    );
    assert.equal(init.errorCode, 0);
    const idempotent = (seq: number) =>
      encodeRecordBatch(
        [0, 1].map((i) => ({ value: Buffer.from(`s${seq + i}`) })),
        { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: seq },
      );
    const sent: Promise<PartitionAnswer>[] = [];
    for (let i = 0; i < 12; i++) sent.push(produceRaw(socket, 'idem', 0, idempotent(2 * i)));
    // A retry of batch 9 (among the producer's last 5), pipelined behind the rest: a duplicate, answered
    // with its first offsets once they are durable.
    sent.push(produceRaw(socket, 'idem', 0, idempotent(18)));
    const answers = await Promise.all(sent);
    assert.deepEqual(
      answers.map((a) => [a.errorCode, a.baseOffset]),
      [...Array.from({ length: 12 }, (_, i) => [0, 2 * i]), [0, 18]],
    );
  } finally {
    socket.close();
  }
});

test('a request that is not pipelined runs after the produces before it and sees them', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'barrier');
    const produced = Array.from({ length: 6 }, (_, i) => produceRaw(socket, 'barrier', 0, batch(`v${i}`)));
    const listed = socket.request<{ topics: { partitions: { offset: number }[] }[] }>(
      LIST_OFFSETS_SCHEMA,
      5,
      {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: 'barrier', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] },
        ],
      },
    );
    await Promise.all(produced);
    // The high watermark moves after the flush; ListOffsets ran only once every produce was answered.
    assert.equal((await listed).topics[0].partitions[0].offset, 6);
  } finally {
    socket.close();
  }
});

test('a client that leaves with produce answers pending: the broker keeps serving, the data is there', async () => {
  const admin = await KafkaSocket.open('127.0.0.1', broker.port);
  const leaving = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(admin, 'leaving');
    const pending = Array.from({ length: 8 }, (_, i) => produceRaw(leaving, 'leaving', 0, batch(`v${i}`)));
    // Wait until the broker has appended them all (the log end moves at the write, before the flush).
    const log = broker.state.topics.partition('leaving', 0);
    while ((log?.logEndOffset ?? 0) < 8) await new Promise((resolve) => setTimeout(resolve, 1));
    leaving.close();
    // Answers sent before the close arrive in order; the rest never do (their slots were dropped).
    const outcomes = await Promise.allSettled(pending);
    const answered = outcomes.findIndex((o) => o.status === 'rejected');
    assert.ok(answered >= 0, 'the last answers wait for a flush after the close');
    assert.ok(outcomes.slice(answered).every((o) => o.status === 'rejected'));
    assert.deepEqual(
      outcomes.slice(0, answered).map((o) => (o.status === 'fulfilled' ? o.value.baseOffset : -1)),
      Array.from({ length: answered }, (_, i) => i),
    );
    const next = await produceRaw(admin, 'leaving', 0, batch('after'));
    assert.deepEqual([next.errorCode, next.baseOffset], [0, 8]);
    const fetched = await fetch(admin, fetchBody([{ topic: 'leaving', partition: 0, offset: 0 }]));
    assert.equal(fetchedValues(fetched.responses[0].partitions[0]).length, 9);
  } finally {
    admin.close();
  }
});

function produceFrame(correlationId: number, topic: string, value: string, acks: number): Buffer {
  return encodeRequestFrame(
    PRODUCE_SCHEMA,
    { apiVersion: 7, correlationId, clientId: 'pipelining' },
    {
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(value) }] }],
    },
  );
}

/** Writes `frames` at once on a fresh socket; resolves with the correlation ids answered before it closed. */
async function answeredUntilClose(
  frames: Buffer[],
  closeAfterMs: number,
): Promise<{ ids: number[]; closedByBroker: boolean }> {
  const socket = connect(broker.port, '127.0.0.1');
  await once(socket, 'connect');
  const ids: number[] = [];
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      ids.push(pending.readInt32BE(4));
      pending = pending.subarray(4 + pending.readInt32BE(0));
    }
  });
  socket.on('error', () => {});
  let closedByBroker = false;
  const closed = once(socket, 'close');
  socket.once('end', () => {
    closedByBroker = true;
  });
  socket.write(Buffer.concat(frames));
  const timer = setTimeout(() => socket.destroy(), closeAfterMs);
  await closed;
  clearTimeout(timer);
  return { ids, closedByBroker };
}

test('acks=0 requests mixed into a pipeline: no answer, no wait; a refused one closes after earlier answers', async () => {
  const admin = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(admin, 'mixed');
    const fine = await answeredUntilClose(
      [produceFrame(1, 'mixed', 'a', -1), produceFrame(2, 'mixed', 'b', 0), produceFrame(3, 'mixed', 'c', 1)],
      1500,
    );
    assert.deepEqual(fine, { ids: [1, 3], closedByBroker: false });
    const refused = await answeredUntilClose(
      [
        produceFrame(4, 'mixed', 'd', -1),
        produceFrame(5, 'no-such-topic', 'lost', 0),
        produceFrame(6, 'mixed', 'never run', -1),
      ],
      5000,
    );
    // The close comes after the answer the first request was still waiting for (its flush).
    assert.deepEqual(refused, { ids: [4], closedByBroker: true });
    const fetched = await fetch(admin, fetchBody([{ topic: 'mixed', partition: 0, offset: 0 }]));
    assert.deepEqual(
      fetchedValues(fetched.responses[0].partitions[0]).map(([, v]) => v),
      ['a', 'b', 'c', 'd'],
    );
  } finally {
    admin.close();
  }
});

test('a failed fdatasync: every pipelined request waiting on it gets KAFKA_STORAGE_ERROR, in order', async () => {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'doomed');
    failDatasync = true;
    // The first waits for the failing flush; the later ones find the log already stopped, or wait too.
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => produceRaw(socket, 'doomed', 0, batch(`v${i}`))),
    );
    failDatasync = false;
    assert.deepEqual(
      answers.map((a) => a.errorCode),
      [56, 56, 56, 56],
    );
    // The log refuses appends until a restart; the connection and the broker keep working.
    assert.equal((await produceRaw(socket, 'doomed', 0, batch('later'))).errorCode, 56);
    await createTopic(socket, 'healthy');
    assert.equal((await produceRaw(socket, 'healthy', 0, batch('fine'))).errorCode, 0);
  } finally {
    failDatasync = false;
    socket.close();
  }
});
