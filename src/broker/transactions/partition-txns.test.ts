import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlRecordType } from '../../protocol/record-batch/control.ts';
import { type AbortedTxn, PartitionTxns } from './partition-txns.ts';

const { ABORT, COMMIT } = ControlRecordType;

test('the last stable offset is the first offset of the oldest open transaction, else the high watermark', () => {
  const txns = new PartitionTxns();
  assert.equal(txns.lastStableOffset(10), 10);
  txns.begin(1, 12);
  txns.begin(2, 15);
  txns.begin(1, 20); // producer 1 is already open at 12
  assert.equal(txns.lastStableOffset(30), 12);
  assert.equal(txns.lastStableOffset(11), 11, 'never above the high watermark');
  txns.end(1, 25, COMMIT);
  assert.equal(txns.lastStableOffset(30), 15);
  txns.end(2, 26, ABORT);
  assert.equal(txns.lastStableOffset(30), 30);
  assert.equal(txns.firstUnstableOffset(30), null);
});

test('a completed transaction holds readers back until its marker is below the high watermark', () => {
  const txns = new PartitionTxns();
  txns.begin(1, 5);
  txns.end(1, 9, COMMIT);
  assert.equal(txns.lastStableOffset(9), 5, 'the marker at 9 is not readable yet');
  assert.equal(txns.lastStableOffset(10), 10);
});

test('aborted transactions: recorded at ABORT markers only, with the stable offset after them', () => {
  const txns = new PartitionTxns();
  const persisted: AbortedTxn[] = [];
  txns.onAborted = (t) => persisted.push(t);
  txns.begin(1, 0);
  txns.begin(2, 3);
  txns.end(1, 5, ABORT); // producer 2 still open from 3
  txns.end(2, 6, COMMIT);
  txns.begin(3, 10);
  txns.end(3, 12, ABORT);
  txns.end(4, 13, ABORT); // nothing open for producer 4: ignored
  assert.deepEqual(persisted, [
    { producerId: 1, firstOffset: 0, lastOffset: 5, lastStableOffset: 3 },
    { producerId: 3, firstOffset: 10, lastOffset: 12, lastStableOffset: 13 },
  ]);
  assert.deepEqual(txns.abortedList(), persisted);
});

test('aborted transactions meeting a fetched range: lastOffset >= from and firstOffset < to', () => {
  const txns = new PartitionTxns();
  txns.setAborted([
    { producerId: 3, firstOffset: 40, lastOffset: 50, lastStableOffset: 51 },
    { producerId: 1, firstOffset: 0, lastOffset: 10, lastStableOffset: 11 },
    { producerId: 2, firstOffset: 5, lastOffset: 30, lastStableOffset: 31 },
  ]);
  const ids = (from: number, to: number) => txns.abortedTransactions(from, to).map((t) => t.producerId);
  assert.deepEqual(ids(0, 100), [1, 2, 3]);
  assert.deepEqual(ids(11, 100), [2, 3]);
  assert.deepEqual(ids(11, 40), [2], 'a transaction starting at the upper bound is not in range');
  assert.deepEqual(ids(31, 41), [3]);
  assert.deepEqual(ids(51, 100), []);
  assert.deepEqual(ids(0, 5), [1], 'stops once an entry is stable past the bound');
});

test('a long transaction aborted after a short one is still found (the stable offset keeps the search going)', () => {
  const txns = new PartitionTxns();
  txns.begin(1, 0); // long-running
  txns.begin(2, 5);
  txns.end(2, 8, ABORT); // stable offset 0: producer 1 still open
  txns.end(1, 20, ABORT);
  assert.deepEqual(
    txns.abortedTransactions(9, 12).map((t) => t.producerId),
    [1],
  );
  assert.deepEqual(
    txns.abortedTransactions(0, 3).map((t) => t.producerId),
    [1],
  );
});

test('pruning drops aborted transactions wholly below the log start', () => {
  const txns = new PartitionTxns();
  txns.setAborted([
    { producerId: 1, firstOffset: 0, lastOffset: 10, lastStableOffset: 11 },
    { producerId: 2, firstOffset: 5, lastOffset: 30, lastStableOffset: 31 },
  ]);
  assert.equal(txns.pruneAborted(10), false);
  assert.equal(txns.pruneAborted(11), true);
  assert.deepEqual(
    txns.abortedList().map((t) => t.producerId),
    [2],
  );
});

test('resetting from a snapshot restores open transactions and forgets completing ones', () => {
  const txns = new PartitionTxns();
  txns.begin(1, 4);
  txns.end(1, 8, COMMIT);
  txns.resetOngoing([[9, 20]]);
  assert.equal(txns.lastStableOffset(30), 20);
  assert.equal(txns.openCount, 1);
});
