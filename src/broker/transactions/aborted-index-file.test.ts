import assert from 'node:assert/strict';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../storage/test-support/batches.ts';
import {
  ABORTED_INDEX_FILE,
  ABORTED_TXN_SIZE,
  appendAbortedTxns,
  decodeAbortedTxns,
  encodeAbortedTxns,
  loadAbortedTxns,
  syncAbortedTxns,
} from './aborted-index-file.ts';
import type { AbortedTxn } from './partition-txns.ts';

const txn = (producerId: number, firstOffset: number, lastOffset: number): AbortedTxn => ({
  producerId,
  firstOffset,
  lastOffset,
  lastStableOffset: lastOffset + 1,
});

test("records are Kafka's 34-byte AbortedTxn layout and round-trip", () => {
  const list = [txn(2 ** 40, 5, 9), txn(1, 2 ** 50, 2 ** 50 + 3)];
  const bytes = encodeAbortedTxns(list);
  assert.equal(bytes.length, 2 * ABORTED_TXN_SIZE);
  assert.equal(bytes.readInt16BE(0), 0, 'version 0');
  assert.equal(bytes.readBigInt64BE(2), 2n ** 40n, 'producer id');
  assert.equal(bytes.readBigInt64BE(18), 9n, 'last offset');
  assert.deepEqual(decodeAbortedTxns(bytes), list);
});

test('loading keeps entries below the replay start and above the log start, dropping a torn tail', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    assert.deepEqual(await loadAbortedTxns(dir, 100, 0), [], 'no file: nothing aborted');
    await appendAbortedTxns(dir, [txn(1, 0, 4), txn(2, 6, 10)]);
    await appendAbortedTxns(dir, [txn(3, 20, 30)]);
    await syncAbortedTxns(dir);
    // A crash in the middle of the next append leaves part of a record.
    await appendFile(join(dir, ABORTED_INDEX_FILE), encodeAbortedTxns([txn(4, 40, 41)]).subarray(0, 20));

    const kept = await loadAbortedTxns(dir, 30, 5);
    assert.deepEqual(
      kept.map((t) => t.producerId),
      [2],
      'producer 1 is below the log start, 3 at the replay start, 4 torn',
    );
    // The file now matches what was kept, so appends continue a consistent file.
    assert.equal((await stat(join(dir, ABORTED_INDEX_FILE))).size, ABORTED_TXN_SIZE);
    assert.deepEqual(decodeAbortedTxns(await readFile(join(dir, ABORTED_INDEX_FILE))), kept);

    assert.deepEqual(await loadAbortedTxns(dir, 0, 0), []);
    await assert.rejects(stat(join(dir, ABORTED_INDEX_FILE)), 'an empty index leaves no file');
  } finally {
    await cleanup();
  }
});

test('an entry recorded twice (replayed after a crash) loads once', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await appendAbortedTxns(dir, [txn(1, 0, 4), txn(1, 0, 4), txn(2, 5, 8)]);
    assert.deepEqual(
      (await loadAbortedTxns(dir, 100, 0)).map((t) => t.lastOffset),
      [4, 8],
    );
  } finally {
    await cleanup();
  }
});
