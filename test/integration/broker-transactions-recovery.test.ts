// Transactions across time and crashes: a transaction older than its timeout is aborted with an epoch
// bump; open transactions, the last stable offset and the aborted index survive a clean restart and a
// kill -9; a commit whose PrepareCommit was stored before a stop is finished by the next start.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KafkaError } from '../../src/broker/error-codes.ts';
import { freePort, killHard, startBrokerProcess } from '../chaos/broker-process.ts';
import { startTestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic, produce, records } from './data-path-helpers.ts';
import {
  fetchCommitted,
  fetchPartition,
  latestOffset,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  TxnProducer,
  visibleValues,
} from './txn-helpers.ts';

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('a transaction open longer than its timeout is aborted and its producer fenced', async () => {
  const broker = await startTestBroker({ producers: { transactionAbortTimedOutIntervalMs: 50 } });
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 't', 1);
    const p = new TxnProducer(socket, 'slow');
    await p.init(400);
    await p.addPartitions([['t', 0]]);
    await p.produce('t', 0, ['late-1']);
    await produce(socket, 't', 0, records('plain'));
    const started = Date.now();
    assert.equal(await latestOffset(socket, 't', 0, READ_COMMITTED), 0);
    await until(async () => (await latestOffset(socket, 't', 0, READ_COMMITTED)) > 0, 5000);
    assert.ok(Date.now() - started >= 300, 'not aborted before its timeout');
    const rc = await fetchPartition(socket, 't', 0, 0, READ_COMMITTED);
    assert.deepEqual(visibleValues(rc), ['plain']);
    assert.deepEqual(rc.abortedTransactions, [{ producerId: p.producerId, firstOffset: 0 }]);
    assert.equal((await p.produce('t', 0, ['late-2'])).errorCode, KafkaError.INVALID_PRODUCER_EPOCH);
    assert.equal(await p.end(true), KafkaError.PRODUCER_FENCED);
    // A new InitProducerId continues after the fenced epoch.
    const again = new TxnProducer(socket, 'slow');
    assert.equal(await again.init(), 0);
    assert.equal(again.producerEpoch, p.producerEpoch + 2);
  } finally {
    socket.close();
    await broker.stop();
  }
});

test('open, committed and aborted transactions survive a clean restart; a stored PrepareCommit is finished', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-txn-restart-'));
  let broker = await startTestBroker({ dataDir });
  let socket = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    await createTopic(socket, 't', 1);
    const aborted = new TxnProducer(socket, 'r-abort');
    await aborted.init();
    await aborted.addPartitions([['t', 0]]);
    await aborted.produce('t', 0, ['gone']);
    await aborted.end(false);
    const open = new TxnProducer(socket, 'r-open');
    await open.init();
    await open.addPartitions([['t', 0]]);
    await open.produce('t', 0, ['later']);
    const prepared = new TxnProducer(socket, 'r-prepared');
    await prepared.init();
    await prepared.addPartitions([['t', 0]]);
    await prepared.produce('t', 0, ['decided']);
    await prepared.addOffsets('g');
    await prepared.commitOffset('g', 't', 0, 7);
    // As if the broker stopped right after storing PrepareCommit, before any marker.
    const ids = broker.state.producers.transactionalIds;
    await ids.put('r-prepared', { ...ids.get('r-prepared')!, state: 'PrepareCommit' });
    const lso = await latestOffset(socket, 't', 0, READ_COMMITTED);
    assert.equal(lso, 2, 'held at the open transaction (offset 2)');
    socket.close();
    await broker.close();

    broker = await startTestBroker({ dataDir });
    socket = await KafkaSocket.open('127.0.0.1', broker.port);
    await until(async () => (await fetchCommitted(socket, 'g', 't', 0, true))[1] === 7, 5000);
    assert.equal(await latestOffset(socket, 't', 0, READ_COMMITTED), 2, 'r-open still holds the LSO');
    assert.equal(
      await TxnProducer.continuing(socket, open).end(true),
      0,
      'the open transaction completes after the restart',
    );
    const rc = await fetchPartition(socket, 't', 0, 0, READ_COMMITTED);
    assert.deepEqual(visibleValues(rc), ['later', 'decided']);
    assert.deepEqual(rc.abortedTransactions, [{ producerId: aborted.producerId, firstOffset: 0 }]);
  } finally {
    socket.close();
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('after kill -9 the open transaction still holds the LSO and the aborted list is intact', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-txn-kill-'));
  const port = await freePort();
  let broker = await startBrokerProcess(dataDir, port, 'fsync');
  let socket = await KafkaSocket.open('127.0.0.1', port);
  try {
    await createTopic(socket, 'k', 1);
    const expectedAborted: { producerId: number; firstOffset: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const p = new TxnProducer(socket, `k-${i}`);
      await p.init();
      await p.addPartitions([['k', 0]]);
      const answer = await p.produce('k', 0, [`v${i}-a`, `v${i}-b`]);
      const commit = i !== 1;
      await p.end(commit);
      if (!commit) expectedAborted.push({ producerId: p.producerId, firstOffset: answer.baseOffset });
    }
    const open = new TxnProducer(socket, 'k-open');
    await open.init();
    await open.addPartitions([['k', 0]]);
    const held = await open.produce('k', 0, ['pending']);
    await produce(socket, 'k', 0, records('plain'));
    socket.close();
    await killHard(broker);

    broker = await startBrokerProcess(dataDir, port, 'fsync');
    socket = await KafkaSocket.open('127.0.0.1', port);
    assert.equal(await latestOffset(socket, 'k', 0, READ_COMMITTED), held.baseOffset);
    assert.ok((await latestOffset(socket, 'k', 0, READ_UNCOMMITTED)) > held.baseOffset);
    const rc = await fetchPartition(socket, 'k', 0, 0, READ_COMMITTED);
    assert.deepEqual(rc.abortedTransactions, expectedAborted);
    assert.deepEqual(visibleValues(rc), ['v0-a', 'v0-b', 'v2-a', 'v2-b']);
    assert.equal(await TxnProducer.continuing(socket, open).end(true), 0);
    assert.deepEqual(visibleValues(await fetchPartition(socket, 'k', 0, 0, READ_COMMITTED)), [
      'v0-a',
      'v0-b',
      'v2-a',
      'v2-b',
      'pending',
      'plain',
    ]);
  } finally {
    socket.close();
    await killHard(broker);
    await rm(dataDir, { recursive: true, force: true });
  }
});
