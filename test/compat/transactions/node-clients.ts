// Shared steps of the kafkajs and @platformatic/kafka transaction tests: the child producer of
// txn-child.ts (for kill -9 and fencing) and the hold / kill / fence scenarios run through it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  assertAbortedAfterTimeout,
  assertHeldBack,
  EventChild,
  expected,
  type TxnBroker,
  topic,
  values,
} from './scenario.ts';

const CHILD = join(import.meta.dirname, 'txn-child.ts');

/** Starts txn-child.ts for `client`; it opens a transaction with `count` values and waits. */
export function startChild(
  client: 'kafkajs' | 'platformatic',
  env: TxnBroker,
  name: string,
  txnId: string,
  prefix: string,
  count: number,
  timeoutMs: number,
): EventChild {
  return new EventChild(
    process.execPath,
    [CHILD, client, env.broker.bootstrap, name, txnId, prefix, String(count), String(timeoutMs)],
    {},
  );
}

/**
 * An open transaction holds back the LSO (read_committed readers stall, read_uncommitted ones read on);
 * after the producer process is killed with kill -9 the transaction is aborted once its timeout passes.
 */
export async function holdThenKill(
  client: 'kafkajs' | 'platformatic',
  env: TxnBroker,
  commitBefore: (name: string, prefix: string, count: number) => Promise<void>,
): Promise<void> {
  const name = `${client}-hold`;
  await topic(env, name);
  await commitBefore(name, 'before', 3);
  const before = expected('before', 3);
  const child = startChild(client, env, name, `${client}-hold`, 'held', 5, 4000);
  try {
    await child.next('open');
    const openedAt = Date.now();
    await assertHeldBack(env, name, before, 'held', 5);
    await child.kill();
    await assertAbortedAfterTimeout(env, name, before, openedAt, 4000);
    assert.deepEqual(await values(env, name, false), [...before, ...expected('held', 5)].sort());
  } finally {
    await child.kill();
  }
}

/** A second producer with the same transactional id fences the first, whose open transaction is aborted. */
export async function fenceFirst(
  client: 'kafkajs' | 'platformatic',
  env: TxnBroker,
  commitAs: (name: string, txnId: string, prefix: string, count: number) => Promise<void>,
): Promise<string> {
  const name = `${client}-fence`;
  await topic(env, name);
  const child = startChild(client, env, name, `${client}-fence`, 'zombie', 3, 60_000);
  try {
    await child.next('open');
    await commitAs(name, `${client}-fence`, 'fresh', 2);
    child.say('go');
    const outcome = await child.next('error').catch(() => child.events.at(-1) ?? {});
    assert.equal(outcome.event, 'error', `the fenced producer must fail, got ${JSON.stringify(outcome)}`);
    assert.deepEqual(await values(env, name, true), expected('fresh', 2));
    return String(outcome.message);
  } finally {
    await child.kill();
  }
}
