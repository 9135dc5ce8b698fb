import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaError } from '../error-codes.ts';
import type { TransactionalIdEntry } from '../producers/transactional-ids.ts';
import { verifyTransactionalWrite } from './write-check.ts';

const ongoing: TransactionalIdEntry = {
  producerId: 7,
  previousProducerId: -1,
  producerEpoch: 2,
  lastProducerEpoch: 1,
  timeoutMs: 60_000,
  state: 'Ongoing',
  updatedAtMs: 0,
  partitions: [
    ['orders', 0],
    ['orders', 2],
  ],
  groups: [],
  pendingOffsets: [],
  txnStartMs: 0,
};

const code = (f: ReturnType<typeof verifyTransactionalWrite>) => f?.errorCode ?? 0;

test('a transactional write needs the ongoing transaction of its producer to hold the partition', () => {
  assert.equal(verifyTransactionalWrite(ongoing, 7, 2, 'orders', 0), null);
  assert.equal(verifyTransactionalWrite(ongoing, 7, 2, 'orders', 2), null);
  assert.equal(code(verifyTransactionalWrite(ongoing, 7, 2, 'orders', 1)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(verifyTransactionalWrite(ongoing, 7, 2, 'other', 0)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(verifyTransactionalWrite(ongoing, 7, 1, 'orders', 0)), KafkaError.INVALID_PRODUCER_EPOCH);
  assert.equal(code(verifyTransactionalWrite(ongoing, 7, 3, 'orders', 0)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(verifyTransactionalWrite(ongoing, 8, 2, 'orders', 0)), KafkaError.INVALID_TXN_STATE);
  assert.equal(code(verifyTransactionalWrite(undefined, 7, 2, 'orders', 0)), KafkaError.INVALID_TXN_STATE);
  for (const state of ['PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'Empty'] as const) {
    assert.equal(
      code(verifyTransactionalWrite({ ...ongoing, state }, 7, 2, 'orders', 0)),
      KafkaError.INVALID_TXN_STATE,
      state,
    );
  }
});
