// kafkajs transactions against eddy's broker: commit with offsets (sendOffsets), abort, an open
// transaction holding back the LSO, a producer killed with kill -9 and aborted after its timeout, and
// fencing by a second producer with the same transactional id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { fetchCommitted } from '../../integration/txn-helpers.ts';
import { kcatMissing } from '../kcat/kcat.ts';
import { fenceFirst, holdThenKill } from './node-clients.ts';
import { expected, startTxnBroker, type TxnBroker, topic, values } from './scenario.ts';

const skip = kcatMissing() ?? false;
let env: TxnBroker;
before(async () => {
  if (!skip) env = await startTxnBroker();
});
after(async () => {
  await env?.stop();
});

async function withProducer<T>(txnId: string, use: (producer: Producer) => Promise<T>): Promise<T> {
  const kafka = new Kafka({ clientId: txnId, brokers: [env.broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: txnId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    return await use(producer);
  } finally {
    await producer.disconnect();
  }
}

/** One committed transaction of `prefix-0..count-1` on partition 0. */
function commitValues(name: string, txnId: string, prefix: string, count: number): Promise<void> {
  return withProducer(txnId, async (producer) => {
    const txn = await producer.transaction();
    await txn.send({
      topic: name,
      messages: Array.from({ length: count }, (_, i) => ({ value: `${prefix}-${i}`, partition: 0 })),
    });
    await txn.commit();
  });
}

test('kafkajs: a commit is visible with its offsets; an abort only to read_uncommitted', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'kj-txn', 2);
  await withProducer('kj-1', async (producer) => {
    let txn = await producer.transaction();
    await txn.send({
      topic: 'kj-txn',
      messages: Array.from({ length: 6 }, (_, i) => ({ value: `ok-${i}`, partition: i % 2 })),
    });
    await txn.sendOffsets({
      consumerGroupId: 'kj-group',
      topics: [{ topic: 'kj-txn', partitions: [{ partition: 1, offset: '23' }] }],
    });
    await txn.commit();
    txn = await producer.transaction();
    await txn.send({
      topic: 'kj-txn',
      messages: [
        { value: 'no-0', partition: 0 },
        { value: 'no-1', partition: 1 },
      ],
    });
    await txn.abort();
  });
  assert.deepEqual(await values(env, 'kj-txn', true), expected('ok', 6));
  assert.deepEqual(await values(env, 'kj-txn', false), [...expected('ok', 6), ...expected('no', 2)].sort());
  assert.deepEqual(await fetchCommitted(env.socket, 'kj-group', 'kj-txn', 1, true), [0, 23]);
});

test('kafkajs: an open transaction holds back the LSO; killed with kill -9, it is aborted after its timeout', {
  skip,
  timeout: 30_000,
}, async () => {
  await holdThenKill('kafkajs', env, (name, prefix, count) => commitValues(name, 'kj-before', prefix, count));
});

test('kafkajs: a second producer with the same transactional id fences the first', {
  skip,
  timeout: 30_000,
}, async () => {
  const message = await fenceFirst('kafkajs', env, commitValues);
  assert.match(message, /old epoch|fenced/i);
});
