// @platformatic/kafka transactions against eddy's broker: commit, abort, an open transaction holding
// back the LSO, a producer killed with kill -9 and aborted after its timeout, and fencing by a second
// producer with the same transactional id.
//
// platformatic 2.12 sends producer id 0 and epoch 0 in InitProducerId v3+ unless told otherwise, which
// Kafka answers with PRODUCER_FENCED for a transactional id whose producer id is not 0 (eddy too): the
// producers here pass producerId -1n / producerEpoch -1, as a second instance must against Kafka.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
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

function producer(txnId: string): Producer<string, string, string, string> {
  return new Producer({
    clientId: txnId,
    bootstrapBrokers: [env.broker.bootstrap],
    serializers: stringSerializers,
    idempotent: true,
    transactionalId: txnId,
    producerId: -1n,
    producerEpoch: -1,
  });
}

/** One committed transaction of `prefix-0..count-1` on partition 0. */
async function commitValues(name: string, txnId: string, prefix: string, count: number): Promise<void> {
  const p = producer(txnId);
  try {
    const txn = await p.beginTransaction();
    await txn.send({
      messages: Array.from({ length: count }, (_, i) => ({
        topic: name,
        value: `${prefix}-${i}`,
        partition: 0,
      })),
    });
    await txn.commit();
  } finally {
    await p.close();
  }
}

test('platformatic: a commit is visible; an abort only to read_uncommitted', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'pl-txn', 2);
  const p = producer('pl-1');
  try {
    let txn = await p.beginTransaction();
    await txn.send({
      messages: Array.from({ length: 6 }, (_, i) => ({
        topic: 'pl-txn',
        value: `ok-${i}`,
        partition: i % 2,
      })),
    });
    await txn.commit();
    txn = await p.beginTransaction();
    await txn.send({
      messages: [
        { topic: 'pl-txn', value: 'no-0', partition: 0 },
        { topic: 'pl-txn', value: 'no-1', partition: 1 },
      ],
    });
    await txn.abort();
  } finally {
    await p.close();
  }
  assert.deepEqual(await values(env, 'pl-txn', true), expected('ok', 6));
  assert.deepEqual(await values(env, 'pl-txn', false), [...expected('ok', 6), ...expected('no', 2)].sort());
});

test('platformatic: an open transaction holds back the LSO; killed with kill -9, it is aborted after its timeout', {
  skip,
  timeout: 30_000,
}, async () => {
  await holdThenKill('platformatic', env, (name, prefix, count) =>
    commitValues(name, 'pl-before', prefix, count),
  );
});

test('platformatic: a second producer with the same transactional id fences the first', {
  skip,
  timeout: 30_000,
}, async () => {
  const message = await fenceFirst('platformatic', env, commitValues);
  // platformatic reports the fenced send as a failed Produce (INVALID_PRODUCER_EPOCH underneath).
  assert.match(message, /Produc/);
});
