// Kafka transactions over a real socket, every request by hand: the full flow with commit and abort,
// read_committed vs read_uncommitted, the last stable offset, transactional offsets and
// OffsetFetch(requireStable), the coordinator's error answers, fencing by a second InitProducerId and
// CONCURRENT_TRANSACTIONS while a commit is being written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KafkaError } from '../../src/broker/error-codes.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
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

let broker: TestBroker;
let socket: KafkaSocket;

before(async () => {
  broker = await startTestBroker({ durability: 'fsync' });
  socket = await KafkaSocket.open('127.0.0.1', broker.port);
  await createTopic(socket, 'out', 2);
  await createTopic(socket, 'in', 1);
});
after(async () => {
  socket?.close();
  await broker?.stop();
});

test('a committed transaction: held back by the last stable offset until EndTxn, then visible with its offsets', async () => {
  const p = new TxnProducer(socket, 'commit-1');
  assert.equal(await p.init(), 0);
  const added = await p.addPartitions([
    ['out', 0],
    ['out', 1],
  ]);
  assert.deepEqual([...added.values()], [0, 0]);
  await produce(socket, 'out', 0, records('plain-before'));
  assert.equal((await p.produce('out', 0, ['c1', 'c2'])).errorCode, 0);
  assert.equal((await p.produce('out', 1, ['c3'])).errorCode, 0);
  assert.equal((await p.produce('out', 0, ['c4'])).errorCode, 0);
  await produce(socket, 'out', 0, records('plain-after'));

  // Open: read_committed stops at the transaction's first offset; read_uncommitted sees everything.
  const heldBack = await fetchPartition(socket, 'out', 0, 0, READ_COMMITTED);
  assert.deepEqual(visibleValues(heldBack), ['plain-before']);
  assert.deepEqual([heldBack.lastStableOffset, heldBack.highWatermark], [1, 5]);
  assert.deepEqual(visibleValues(await fetchPartition(socket, 'out', 0, 0, READ_UNCOMMITTED)), [
    'plain-before',
    'c1',
    'c2',
    'c4',
    'plain-after',
  ]);
  assert.deepEqual((await fetchPartition(socket, 'out', 0, 1, READ_COMMITTED)).records?.length ?? 0, 0);
  assert.equal(await latestOffset(socket, 'out', 0, READ_COMMITTED), 1);
  assert.equal(await latestOffset(socket, 'out', 0, READ_UNCOMMITTED), 5);

  // Offsets inside the transaction: pending, invisible, and UNSTABLE_OFFSET_COMMIT for requireStable.
  assert.equal(await p.addOffsets('copier'), 0);
  assert.equal(await p.commitOffset('copier', 'in', 0, 42), 0);
  assert.deepEqual(await fetchCommitted(socket, 'copier', 'in', 0, true), [
    KafkaError.UNSTABLE_OFFSET_COMMIT,
    -1,
  ]);
  assert.deepEqual(await fetchCommitted(socket, 'copier', 'in', 0, false), [0, -1]);

  assert.equal(await p.end(true), 0);
  const committed = await fetchPartition(socket, 'out', 0, 0, READ_COMMITTED);
  assert.deepEqual(visibleValues(committed), ['plain-before', 'c1', 'c2', 'c4', 'plain-after']);
  assert.deepEqual([committed.lastStableOffset, committed.highWatermark], [6, 6], 'the marker is offset 5');
  assert.deepEqual(committed.abortedTransactions, []);
  assert.deepEqual(visibleValues(await fetchPartition(socket, 'out', 1, 0, READ_COMMITTED)), ['c3']);
  assert.equal(await latestOffset(socket, 'out', 0, READ_COMMITTED), 6);
  assert.deepEqual(await fetchCommitted(socket, 'copier', 'in', 0, true), [0, 42]);
  // A retried EndTxn(commit) succeeds again; an abort of the committed transaction is refused.
  assert.equal(await p.end(true), 0);
  assert.equal(await p.end(false), KafkaError.INVALID_TXN_STATE);
});

test('an aborted transaction: listed in abortedTransactions, invisible to read_committed, its offsets dropped', async () => {
  const p = new TxnProducer(socket, 'abort-1');
  await p.init();
  const start = await latestOffset(socket, 'out', 1, READ_UNCOMMITTED);
  await p.addPartitions([['out', 1]]);
  await p.produce('out', 1, ['a1', 'a2']);
  await p.addOffsets('copier');
  assert.equal(await p.commitOffset('copier', 'in', 0, 99), 0);
  assert.equal(await p.end(false), 0);
  await produce(socket, 'out', 1, records('plain'));

  const rc = await fetchPartition(socket, 'out', 1, start, READ_COMMITTED);
  assert.deepEqual(rc.abortedTransactions, [{ producerId: p.producerId, firstOffset: start }]);
  assert.deepEqual(visibleValues(rc), ['plain']);
  const ru = await fetchPartition(socket, 'out', 1, start, READ_UNCOMMITTED);
  assert.equal(ru.abortedTransactions, null);
  assert.deepEqual(visibleValues(ru), ['a1', 'a2', 'plain']);
  // Fetching after the aborted range lists nothing.
  assert.deepEqual(
    (await fetchPartition(socket, 'out', 1, start + 3, READ_COMMITTED)).abortedTransactions,
    [],
  );
  assert.deepEqual(
    await fetchCommitted(socket, 'copier', 'in', 0, true),
    [0, 42],
    'the committed offset stays',
  );
  assert.equal(await p.end(false), 0, 'a retried abort succeeds');
});

test('transactional writes need an ongoing transaction holding the partition', async () => {
  const p = new TxnProducer(socket, 'rules-1');
  await p.init();
  assert.equal((await p.produce('out', 0, ['x'])).errorCode, KafkaError.INVALID_TXN_STATE, 'nothing added');
  await p.addPartitions([['out', 0]]);
  assert.equal((await p.produce('out', 1, ['x'])).errorCode, KafkaError.INVALID_TXN_STATE, 'other partition');
  assert.equal(
    (await p.produce('out', 0, ['x'], { epoch: p.producerEpoch - 1 })).errorCode,
    KafkaError.INVALID_PRODUCER_EPOCH,
  );
  assert.equal((await p.produce('out', 0, ['ok'])).errorCode, 0);
  assert.equal(await p.end(true), 0);
  assert.equal(
    (await p.produce('out', 0, ['late'])).errorCode,
    KafkaError.INVALID_TXN_STATE,
    'after the commit',
  );
  const stranger = new TxnProducer(socket, 'nobody');
  stranger.producerId = 999_999;
  stranger.producerEpoch = 0;
  assert.equal((await stranger.produce('out', 0, ['x'])).errorCode, KafkaError.INVALID_TXN_STATE);
});

test('coordinator errors: unknown partitions, wrong producer id or epoch, ending what never started', async () => {
  const p = new TxnProducer(socket, 'errors-1');
  await p.init();
  const mixed = await p.addPartitions([
    ['out', 0],
    ['missing', 0],
    ['out', 7],
  ]);
  assert.deepEqual(Object.fromEntries(mixed), {
    'out/0': KafkaError.OPERATION_NOT_ATTEMPTED,
    'missing/0': KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
    'out/7': KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  });
  assert.equal(await p.end(true), KafkaError.INVALID_TXN_STATE, 'nothing was added');
  assert.equal(await p.addOffsets('g'), 0);
  assert.equal(
    await p.commitOffset('other-group', 'in', 0, 1),
    KafkaError.INVALID_TXN_STATE,
    'group not added',
  );
  assert.equal(await p.commitOffset('g', 'in', 0, 1, { memberId: 'ghost' }), KafkaError.UNKNOWN_MEMBER_ID);
  assert.equal(await p.commitOffset('g', 'in', 0, 1, { generationId: 5 }), KafkaError.ILLEGAL_GENERATION);
  assert.equal(await p.commitOffset('g', 'nope', 0, 1), KafkaError.UNKNOWN_TOPIC_OR_PARTITION);

  const epoch = p.producerEpoch;
  p.producerEpoch = epoch + 1;
  assert.equal((await p.addPartitions([['out', 0]])).get('out/0'), KafkaError.PRODUCER_FENCED);
  assert.equal(
    (await p.addPartitions([['out', 0]], 1)).get('out/0'),
    KafkaError.INVALID_PRODUCER_EPOCH,
    'v1',
  );
  assert.equal(await p.addOffsets('g'), KafkaError.INVALID_PRODUCER_EPOCH, 'AddOffsetsToTxn v1 predates 90');
  assert.equal(await p.end(true, 2), KafkaError.PRODUCER_FENCED);
  assert.equal(await p.end(true, 1), KafkaError.INVALID_PRODUCER_EPOCH);
  assert.equal(await p.commitOffset('g', 'in', 0, 1, {}, 3), KafkaError.PRODUCER_FENCED);
  assert.equal(await p.commitOffset('g', 'in', 0, 1, {}, 2), KafkaError.INVALID_PRODUCER_EPOCH);
  p.producerEpoch = epoch;
  const pid = p.producerId;
  p.producerId = pid + 12_345;
  assert.equal(await p.end(true), KafkaError.INVALID_PRODUCER_ID_MAPPING);
  p.producerId = pid;
  assert.equal(await p.end(false), 0);
  assert.equal(
    await new TxnProducer(socket, 'errors-1').init(900_001),
    KafkaError.INVALID_TRANSACTION_TIMEOUT,
  );
});

test('a second InitProducerId fences the first producer and aborts its open transaction', async () => {
  const first = new TxnProducer(socket, 'fence-1');
  await first.init();
  const start = await latestOffset(socket, 'out', 0, READ_UNCOMMITTED);
  await first.addPartitions([['out', 0]]);
  await first.produce('out', 0, ['zombie-1']);
  assert.equal(await latestOffset(socket, 'out', 0, READ_COMMITTED), start, 'held back');

  const second = new TxnProducer(socket, 'fence-1');
  assert.equal(await second.init(), 0);
  assert.deepEqual([second.producerId, second.producerEpoch], [first.producerId, first.producerEpoch + 2]);
  // The open transaction was aborted at the fenced epoch: readers move on, the data stays invisible.
  const rc = await fetchPartition(socket, 'out', 0, start, READ_COMMITTED);
  assert.equal(rc.lastStableOffset, rc.highWatermark);
  assert.deepEqual(rc.abortedTransactions, [{ producerId: first.producerId, firstOffset: start }]);
  assert.deepEqual(visibleValues(rc), []);

  // The zombie is fenced everywhere.
  assert.equal((await first.produce('out', 0, ['zombie-2'])).errorCode, KafkaError.INVALID_PRODUCER_EPOCH);
  assert.equal((await first.addPartitions([['out', 0]])).get('out/0'), KafkaError.PRODUCER_FENCED);
  assert.equal(await first.end(true), KafkaError.PRODUCER_FENCED);
  // The new instance works.
  await second.addPartitions([['out', 0]]);
  assert.equal((await second.produce('out', 0, ['fresh'])).errorCode, 0);
  assert.equal(await second.end(true), 0);
  assert.deepEqual(visibleValues(await fetchPartition(socket, 'out', 0, start, READ_COMMITTED)), ['fresh']);
});

test('CONCURRENT_TRANSACTIONS while a commit is being written; the retry succeeds once it is done', async () => {
  const p = new TxnProducer(socket, 'concurrent-1');
  await p.init();
  await p.addPartitions([['out', 1]]);
  await p.produce('out', 1, ['slow']);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  broker.state.transactions.beforeMarkers = () => gate;
  const other = await KafkaSocket.open('127.0.0.1', broker.port);
  try {
    const ending = p.end(true);
    await new Promise((resolve) => setTimeout(resolve, 50)); // PrepareCommit is stored; markers wait
    const again = new TxnProducer(other, 'concurrent-1');
    assert.equal(await again.init(), KafkaError.CONCURRENT_TRANSACTIONS);
    const retry = new TxnProducer(other, 'concurrent-1');
    retry.producerId = p.producerId;
    retry.producerEpoch = p.producerEpoch;
    assert.equal(await retry.end(true), KafkaError.CONCURRENT_TRANSACTIONS);
    assert.equal(await retry.end(false), KafkaError.INVALID_TXN_STATE);
    assert.equal((await retry.addPartitions([['out', 0]])).get('out/0'), KafkaError.CONCURRENT_TRANSACTIONS);
    assert.equal(
      (await latestOffset(other, 'out', 1, READ_COMMITTED)) <
        (await latestOffset(other, 'out', 1, READ_UNCOMMITTED)),
      true,
    );
    release();
    assert.equal(await ending, 0);
    assert.equal(await again.init(), 0);
    assert.equal(again.producerEpoch, p.producerEpoch + 1);
  } finally {
    broker.state.transactions.beforeMarkers = null;
    release();
    other.close();
  }
});
