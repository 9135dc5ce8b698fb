import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { KafkaError } from '../error-codes.ts';
import type { TransactionalIdEntry, TransactionState } from '../producers/transactional-ids.ts';
import {
  addToTransaction,
  canTransition,
  completeTransaction,
  endTransaction,
  fenceAndAbort,
  isTimedOut,
  transition,
} from './txn-state.ts';

function entry(state: TransactionState, changes: Partial<TransactionalIdEntry> = {}): TransactionalIdEntry {
  return {
    producerId: 7,
    previousProducerId: -1,
    producerEpoch: 3,
    lastProducerEpoch: 2,
    timeoutMs: 1000,
    state,
    updatedAtMs: 0,
    partitions: [],
    groups: [],
    pendingOffsets: [],
    txnStartMs: -1,
    ...changes,
  };
}

const me = { producerId: 7, producerEpoch: 3 };

test("the state machine allows exactly Kafka's transitions", () => {
  const allowed: [TransactionState, TransactionState][] = [
    ['Empty', 'Ongoing'],
    ['Ongoing', 'PrepareCommit'],
    ['Ongoing', 'PrepareAbort'],
    ['Ongoing', 'PrepareEpochFence'],
    ['PrepareEpochFence', 'PrepareAbort'],
    ['PrepareCommit', 'CompleteCommit'],
    ['PrepareAbort', 'CompleteAbort'],
    ['CompleteCommit', 'Ongoing'],
    ['CompleteAbort', 'Empty'],
    ['Empty', 'Dead'],
  ];
  for (const [from, to] of allowed) assert.ok(canTransition(from, to), `${from} → ${to}`);
  const forbidden: [TransactionState, TransactionState][] = [
    ['Empty', 'PrepareCommit'],
    ['PrepareCommit', 'PrepareAbort'],
    ['PrepareCommit', 'Ongoing'],
    ['CompleteCommit', 'CompleteAbort'],
    ['Ongoing', 'CompleteCommit'],
    ['Ongoing', 'Dead'],
    ['PrepareEpochFence', 'PrepareCommit'],
  ];
  for (const [from, to] of forbidden) assert.ok(!canTransition(from, to), `${from} → ${to}`);
  assert.throws(
    () => transition(entry('Empty'), 'CompleteCommit', {}, 1),
    (e: unknown) => isStreamError(e, 'BRK_TXN_STATE_INVALID'),
  );
});

test('AddPartitionsToTxn starts a transaction, adds only what is new, and checks producer and state', () => {
  const started = addToTransaction(entry('CompleteCommit'), { ...me, partitions: [['t', 0]] }, 500);
  assert.equal(started.kind, 'update');
  const ongoing = started.kind === 'update' ? started.next : entry('Ongoing');
  assert.deepEqual([ongoing.state, ongoing.partitions, ongoing.txnStartMs], ['Ongoing', [['t', 0]], 500]);

  // The same partition again changes nothing; a new one keeps the start time.
  assert.equal(addToTransaction(ongoing, { ...me, partitions: [['t', 0]] }, 900).kind, 'unchanged');
  const more = addToTransaction(ongoing, { ...me, partitions: [['t', 1]], groups: ['g'] }, 900);
  assert.ok(more.kind === 'update');
  assert.deepEqual(
    [more.next.partitions, more.next.groups, more.next.txnStartMs],
    [
      [
        ['t', 0],
        ['t', 1],
      ],
      ['g'],
      500,
    ],
  );

  const code = (d: ReturnType<typeof addToTransaction>) => (d.kind === 'error' ? d.errorCode : 0);
  assert.equal(
    code(addToTransaction(undefined, { ...me, groups: ['g'] }, 1)),
    KafkaError.INVALID_PRODUCER_ID_MAPPING,
  );
  assert.equal(
    code(addToTransaction(ongoing, { producerId: 8, producerEpoch: 3, groups: ['g'] }, 1)),
    KafkaError.INVALID_PRODUCER_ID_MAPPING,
  );
  assert.equal(
    code(addToTransaction(ongoing, { producerId: 7, producerEpoch: 2, groups: ['g'] }, 1)),
    KafkaError.PRODUCER_FENCED,
  );
  for (const state of ['PrepareCommit', 'PrepareAbort'] as const) {
    assert.equal(
      code(addToTransaction(entry(state), { ...me, groups: ['g'] }, 1)),
      KafkaError.CONCURRENT_TRANSACTIONS,
    );
  }
});

test('a new transaction forgets the partitions, groups and offsets of the last one', () => {
  const stale = entry('CompleteAbort', { partitions: [['old', 0]], groups: ['old'] });
  const d = addToTransaction(stale, { ...me, partitions: [['t', 0]] }, 5);
  assert.ok(d.kind === 'update');
  assert.deepEqual([d.next.partitions, d.next.groups, d.next.pendingOffsets], [[['t', 0]], [], []]);
});

test('EndTxn: prepare from Ongoing, idempotent retries, CONCURRENT_TRANSACTIONS and INVALID_TXN_STATE', () => {
  const end = (state: TransactionState, commit: boolean) =>
    endTransaction(entry(state), { ...me, commit }, 9);
  const commit = end('Ongoing', true);
  assert.ok(commit.kind === 'prepare' && commit.next.state === 'PrepareCommit');
  const abort = end('Ongoing', false);
  assert.ok(abort.kind === 'prepare' && abort.next.state === 'PrepareAbort');
  assert.equal(end('CompleteCommit', true).kind, 'done');
  assert.equal(end('CompleteAbort', false).kind, 'done');
  const code = (d: ReturnType<typeof endTransaction>) => (d.kind === 'error' ? d.errorCode : 0);
  assert.equal(code(end('CompleteCommit', false)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(end('CompleteAbort', true)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(end('PrepareCommit', true)), KafkaError.CONCURRENT_TRANSACTIONS);
  assert.equal(code(end('PrepareCommit', false)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(end('PrepareAbort', false)), KafkaError.CONCURRENT_TRANSACTIONS);
  assert.equal(code(end('Empty', true)), KafkaError.INVALID_TXN_STATE);
  assert.equal(
    code(endTransaction(entry('Ongoing'), { producerId: 7, producerEpoch: 4, commit: true }, 9)),
    KafkaError.PRODUCER_FENCED,
  );
});

test('fencing bumps the epoch and prepares the abort; completing clears the transaction', () => {
  const fenced = fenceAndAbort(entry('Ongoing', { partitions: [['t', 0]], txnStartMs: 1 }), 50);
  assert.deepEqual([fenced.state, fenced.producerEpoch, fenced.lastProducerEpoch], ['PrepareAbort', 4, -1]);
  assert.deepEqual(fenced.partitions, [['t', 0]]);
  const done = completeTransaction(fenced, 60);
  assert.deepEqual(
    [done.state, done.partitions, done.txnStartMs, done.updatedAtMs],
    ['CompleteAbort', [], -1, 60],
  );
  assert.equal(
    completeTransaction(transition(entry('Ongoing'), 'PrepareCommit', {}, 1), 2).state,
    'CompleteCommit',
  );
  // The epoch never passes Short.MAX_VALUE.
  assert.equal(fenceAndAbort(entry('Ongoing', { producerEpoch: 32_767 }), 1).producerEpoch, 32_767);
});

test('a transaction times out once Ongoing longer than its timeout', () => {
  const open = entry('Ongoing', { txnStartMs: 1000, timeoutMs: 500 });
  assert.equal(isTimedOut(open, 1500), false);
  assert.equal(isTimedOut(open, 1501), true);
  assert.equal(isTimedOut(entry('PrepareCommit', { txnStartMs: 0 }), 10_000), false);
  assert.equal(isTimedOut(entry('Empty'), 10_000), false);
});
