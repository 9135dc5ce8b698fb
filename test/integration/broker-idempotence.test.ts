// Idempotent producers over a real socket: InitProducerId in every version, Produce's sequence and epoch
// checks, duplicates answered with their original offsets, across a clean restart, a kill -9 restart and
// an injected lost response.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FaultInjector } from '../../src/broker/index.ts';
import { INIT_PRODUCER_ID_SCHEMA } from '../../src/protocol/messages/index.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch/index.ts';
import { freePort, killHard, startBrokerProcess } from '../chaos/broker-process.ts';
import { startTestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic, fetch, fetchBody, fetchedValues, produceRaw } from './data-path-helpers.ts';

interface InitAnswer {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

function init(
  socket: KafkaSocket,
  version: number,
  body: { transactionalId?: string | null; timeoutMs?: number; producerId?: number; producerEpoch?: number },
): Promise<InitAnswer> {
  return socket.request<InitAnswer>(INIT_PRODUCER_ID_SCHEMA, version, {
    transactionalId: body.transactionalId ?? null,
    transactionTimeoutMs: body.timeoutMs ?? 60_000,
    producerId: body.producerId ?? -1,
    producerEpoch: body.producerEpoch ?? -1,
  });
}

/** One idempotent batch whose values name producer, epoch and sequence. */
function batch(producerId: number, epoch: number, seq: number, count = 2): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`e${epoch}-s${seq + i}`) }));
  return encodeRecordBatch(records, { producerId, producerEpoch: epoch, baseSequence: seq });
}

async function values(socket: KafkaSocket, topic: string): Promise<[number, string][]> {
  const answer = await fetch(socket, fetchBody([{ topic, partition: 0, offset: 0 }]));
  return fetchedValues(answer.responses[0].partitions[0]);
}

test('InitProducerId v0–4: new ids for idempotent producers, stable ids and bumped epochs for transactional ids', async () => {
  const broker = await startTestBroker();
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    const ids = [];
    for (const version of [0, 1, 2, 3, 4]) {
      const answer = await init(socket, version, {});
      assert.equal(answer.errorCode, 0);
      assert.equal(answer.producerEpoch, 0);
      ids.push(answer.producerId);
    }
    assert.equal(new Set(ids).size, 5);

    const first = await init(socket, 4, { transactionalId: 'tx-a' });
    const second = await init(socket, 0, { transactionalId: 'tx-a' });
    assert.deepEqual(
      [second.producerId, first.producerEpoch, second.producerEpoch],
      [first.producerId, 0, 1],
    );
    // KIP-360 epoch bump with the current id/epoch; a fenced epoch is PRODUCER_FENCED (v4) or
    // INVALID_PRODUCER_EPOCH (v3, which predates PRODUCER_FENCED).
    const bumped = await init(socket, 4, {
      transactionalId: 'tx-a',
      producerId: first.producerId,
      producerEpoch: 1,
    });
    assert.deepEqual([bumped.errorCode, bumped.producerEpoch], [0, 2]);
    const fenced4 = await init(socket, 4, {
      transactionalId: 'tx-a',
      producerId: first.producerId,
      producerEpoch: 0,
    });
    const fenced3 = await init(socket, 3, {
      transactionalId: 'tx-a',
      producerId: first.producerId,
      producerEpoch: 0,
    });
    assert.deepEqual([fenced4.errorCode, fenced3.errorCode], [90, 47]);
    assert.deepEqual([fenced4.producerId, fenced4.producerEpoch], [-1, -1]);

    assert.equal((await init(socket, 4, { transactionalId: 'tx-b', timeoutMs: 900_001 })).errorCode, 50);
    assert.equal((await init(socket, 4, { transactionalId: 'tx-b', timeoutMs: 0 })).errorCode, 50);
    assert.equal((await init(socket, 4, { transactionalId: 'tx-b', timeoutMs: 900_000 })).errorCode, 0);
    assert.equal((await init(socket, 4, { transactionalId: '' })).errorCode, 42);
    assert.equal((await init(socket, 3, { producerId: 5, producerEpoch: -1 })).errorCode, 42);
  } finally {
    socket.close();
    await broker.stop();
  }
});

test('Produce: duplicates get their original offsets, gaps and old epochs are refused; state survives a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-idem-'));
  let broker = await startTestBroker({ dataDir, durability: 'fsync' });
  let socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'idem');
    const { producerId } = await init(socket, 4, {});
    assert.equal((await produceRaw(socket, 'idem', 0, batch(producerId, 0, 0))).baseOffset, 0);
    assert.equal((await produceRaw(socket, 'idem', 0, batch(producerId, 0, 2))).baseOffset, 2);
    const retry = await produceRaw(socket, 'idem', 0, batch(producerId, 0, 0));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0]);
    assert.equal((await produceRaw(socket, 'idem', 0, batch(producerId, 0, 6))).errorCode, 45, 'gap');
    assert.equal(
      (await produceRaw(socket, 'idem', 0, batch(producerId, 1, 4))).errorCode,
      45,
      'new epoch not at 0',
    );
    assert.equal((await produceRaw(socket, 'idem', 0, batch(producerId, 0, 4))).baseOffset, 4);
    assert.deepEqual(
      (await values(socket, 'idem')).map(([o, v]) => `${o}:${v}`),
      ['0:e0-s0', '1:e0-s1', '2:e0-s2', '3:e0-s3', '4:e0-s4', '5:e0-s5'],
    );

    socket.close();
    await broker.close();
    const files = await readdir(join(dataDir, 'idem-0'));
    assert.ok(files.includes('00000000000000000006.snapshot'), `a clean close snapshots: ${files}`);
    broker = await startTestBroker({ dataDir, durability: 'fsync' });
    socket = await KafkaSocket.open('127.0.0.1', broker.port);
    assert.equal(
      (await produceRaw(socket, 'idem', 0, batch(producerId, 0, 2))).baseOffset,
      2,
      'retry after restart',
    );
    assert.equal((await produceRaw(socket, 'idem', 0, batch(producerId, 0, 8))).errorCode, 45);
    assert.equal(
      (await produceRaw(socket, 'idem', 0, batch(producerId, 1, 0))).baseOffset,
      6,
      'epoch bump at 0',
    );
    assert.equal((await produceRaw(socket, 'idem', 0, batch(producerId, 0, 6))).errorCode, 47, 'old epoch');
    assert.equal((await values(socket, 'idem')).length, 8);
  } finally {
    socket.close();
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a lost Produce response (injected) is retried on a new connection without a second copy', async () => {
  const faults = new FaultInjector({
    rules: [{ apiKey: 0, topic: 'lossy', action: { type: 'drop-response' }, count: 1 }],
  });
  const broker = await startTestBroker({ faults });
  let socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'lossy');
    const { producerId } = await init(socket, 4, {});
    await assert.rejects(produceRaw(socket, 'lossy', 0, batch(producerId, 0, 0, 3)), /connection closed/);
    socket = await KafkaSocket.open('127.0.0.1', broker.port);
    const retry = await produceRaw(socket, 'lossy', 0, batch(producerId, 0, 0, 3));
    assert.deepEqual([retry.errorCode, retry.baseOffset], [0, 0]);
    assert.equal((await produceRaw(socket, 'lossy', 0, batch(producerId, 0, 3))).baseOffset, 3);
    assert.deepEqual(
      (await values(socket, 'lossy')).map(([, v]) => v),
      ['e0-s0', 'e0-s1', 'e0-s2', 'e0-s3', 'e0-s4'],
    );
    assert.deepEqual(faults.hits(), [1]);
  } finally {
    socket.close();
    await broker.stop();
  }
});

test('after kill -9 the producer state is rebuilt from the log: a retry is still a duplicate', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-idem-kill-'));
  const port = await freePort();
  let broker = await startBrokerProcess(dataDir, port, 'fsync');
  let socket = await KafkaSocket.open('127.0.0.1', port);
  try {
    await createTopic(socket, 'crash');
    const { producerId } = await init(socket, 4, {});
    for (let seq = 0; seq < 20; seq += 2) await produceRaw(socket, 'crash', 0, batch(producerId, 0, seq));
    socket.close();
    await killHard(broker);
    broker = await startBrokerProcess(dataDir, port, 'fsync');
    socket = await KafkaSocket.open('127.0.0.1', port);
    for (const seq of [18, 16, 12, 10]) {
      const retry = await produceRaw(socket, 'crash', 0, batch(producerId, 0, seq));
      assert.deepEqual([retry.errorCode, retry.baseOffset], [0, seq], `retry of sequence ${seq}`);
    }
    assert.equal(
      (await produceRaw(socket, 'crash', 0, batch(producerId, 0, 8))).errorCode,
      45,
      'older than 5',
    );
    assert.equal((await produceRaw(socket, 'crash', 0, batch(producerId, 0, 20))).baseOffset, 20);
    const { producerId: next } = await init(socket, 4, {});
    assert.ok(next > producerId, 'producer ids are not reused after a crash');
  } finally {
    socket.close();
    await killHard(broker);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a producer idle for producer.id.expiration.ms is forgotten: it may then continue at any sequence', async () => {
  const broker = await startTestBroker({
    producers: { producerIdExpirationMs: 150, producerIdExpirationCheckIntervalMs: 25 },
  });
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 'expiry');
    const { producerId } = await init(socket, 4, {});
    assert.equal((await produceRaw(socket, 'expiry', 0, batch(producerId, 0, 0))).errorCode, 0);
    assert.equal((await produceRaw(socket, 'expiry', 0, batch(producerId, 0, 40))).errorCode, 45);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await produceRaw(socket, 'expiry', 0, batch(producerId, 0, 40))).baseOffset, 2);
  } finally {
    socket.close();
    await broker.stop();
  }
});
