// confluent-kafka-python (librdkafka 2.0.2) transactions against eddy's broker: commit with offsets,
// abort, an open transaction holding back the LSO, a producer killed with kill -9 mid-transaction and
// aborted after its timeout, and fencing by a second instance with the same transactional id.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fetchCommitted } from '../../integration/txn-helpers.ts';
import { kcatMissing } from '../kcat/kcat.ts';
import { jsonLines, runOk } from '../support/child-process.ts';
import { findPython } from '../support/python.ts';
import {
  assertAbortedAfterTimeout,
  assertHeldBack,
  EventChild,
  expected,
  startTxnBroker,
  type TxnBroker,
  topic,
  values,
} from './scenario.ts';

const python = findPython('confluent_kafka');
const skip =
  (python === null ? 'confluent-kafka is not installed (Debian package "python3-confluent-kafka")' : null) ??
  kcatMissing() ??
  false;
const SCRIPT = join(import.meta.dirname, 'txn_client.py');

let env: TxnBroker;
before(async () => {
  if (!skip) env = await startTxnBroker();
});
after(async () => {
  await env?.stop();
});

function client(mode: string, vars: Record<string, string>): Promise<Record<string, unknown>[]> {
  return runOk(
    python as string,
    [SCRIPT],
    { EDDY_BOOTSTRAP: env.broker.bootstrap, EDDY_MODE: mode, ...vars },
    30_000,
  ).then((out) => jsonLines<Record<string, unknown>>(out));
}

test('confluent-kafka: a commit is visible with its offsets; an abort only to read_uncommitted', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'ck-txn', 2);
  const vars = { EDDY_TOPIC: 'ck-txn', EDDY_PARTITIONS: '2', EDDY_TXN_ID: 'ck-1' };
  await client('commit', { ...vars, EDDY_PREFIX: 'ok', EDDY_GROUP: 'ck-group', EDDY_OFFSET: '17' });
  await client('abort', { ...vars, EDDY_PREFIX: 'no' });
  assert.deepEqual(await values(env, 'ck-txn', true), expected('ok', 10));
  assert.deepEqual(await values(env, 'ck-txn', false), [...expected('ok', 10), ...expected('no', 10)].sort());
  assert.deepEqual(await fetchCommitted(env.socket, 'ck-group', 'ck-txn', 0, true), [0, 17]);
});

test('confluent-kafka: an open transaction holds back the LSO; killed with kill -9, it is aborted after its timeout', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'ck-hold');
  await client('commit', {
    EDDY_TOPIC: 'ck-hold',
    EDDY_TXN_ID: 'ck-before',
    EDDY_PREFIX: 'before',
    EDDY_COUNT: '3',
  });
  const before = expected('before', 3);
  const holder = new EventChild(python as string, [SCRIPT], {
    EDDY_BOOTSTRAP: env.broker.bootstrap,
    EDDY_MODE: 'hold',
    EDDY_TOPIC: 'ck-hold',
    EDDY_TXN_ID: 'ck-hold',
    EDDY_PREFIX: 'held',
    EDDY_TXN_TIMEOUT_MS: '4000',
  });
  try {
    await holder.next('open');
    const openedAt = Date.now();
    await assertHeldBack(env, 'ck-hold', before, 'held', 10);
    await holder.kill();
    await assertAbortedAfterTimeout(env, 'ck-hold', before, openedAt, 4000);
    assert.deepEqual(await values(env, 'ck-hold', false), [...before, ...expected('held', 10)].sort());
  } finally {
    await holder.kill();
  }
});

test('confluent-kafka: a second instance with the same transactional id fences the first', {
  skip,
  timeout: 30_000,
}, async () => {
  await topic(env, 'ck-fence');
  const first = new EventChild(python as string, [SCRIPT], {
    EDDY_BOOTSTRAP: env.broker.bootstrap,
    EDDY_MODE: 'fenced',
    EDDY_TOPIC: 'ck-fence',
    EDDY_TXN_ID: 'ck-fence',
    EDDY_PREFIX: 'zombie',
  });
  try {
    await first.next('open');
    await client('commit', {
      EDDY_TOPIC: 'ck-fence',
      EDDY_TXN_ID: 'ck-fence',
      EDDY_PREFIX: 'fresh',
      EDDY_COUNT: '4',
    });
    first.say('go');
    const error = await first.next('error');
    assert.equal(error.name, '_FENCED');
    assert.equal(error.fatal, true);
    // The zombie's open transaction was aborted when the second instance initialised.
    assert.deepEqual(await values(env, 'ck-fence', true), expected('fresh', 4));
  } finally {
    await first.kill();
  }
});
