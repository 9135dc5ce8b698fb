import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { BatchCursor, batchViews } from './batch-cursor.ts';
import { encodeRecordBatch } from './encode.ts';
import {
  BATCH_LENGTH_OFFSET,
  batchBaseOffset,
  MAGIC_OFFSET,
  setBaseOffset,
  verifyBatchCrc,
} from './header.ts';

function batches(): Buffer[] {
  return [1, 5, 2].map((n, b) =>
    encodeRecordBatch(
      Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`b${b}r${i}`), timestamp: 1 })),
      { compression: b % 2 === 0 ? 0 : 2, baseOffset: b * 100 },
    ),
  );
}

test('walks concatenated batches and reports each one', () => {
  const parts = batches();
  const all = Buffer.concat(parts);
  const views = [...batchViews(all)];
  let at = 0;
  assert.deepEqual(
    views,
    parts.map((p) => {
      const v = { offset: at, length: p.length };
      at += p.length;
      return v;
    }),
  );
  const cursor = new BatchCursor(all);
  let next = 1000;
  while (cursor.next()) {
    setBaseOffset(all, cursor.offset, next);
    next += 10;
  }
  assert.equal(cursor.stop, 'end');
  assert.equal(cursor.position, all.length);
  assert.deepEqual(
    views.map((v) => batchBaseOffset(all, v.offset)),
    [1000, 1010, 1020],
  );
  assert.ok(views.every((v) => verifyBatchCrc(all, v.offset)));
});

test('a partial last batch ends the walk as truncated, at every cut point', () => {
  const parts = batches();
  const all = Buffer.concat(parts);
  const wholeTwo = parts[0].length + parts[1].length;
  for (let cut = wholeTwo + 1; cut < all.length; cut++) {
    const cursor = new BatchCursor(all, 0, cut);
    let n = 0;
    while (cursor.next()) n++;
    assert.equal(n, 2);
    assert.equal(cursor.stop, 'truncated', `cut at ${cut}`);
    assert.equal(cursor.position, wholeTwo);
    assert.equal([...batchViews(all.subarray(0, cut))].length, 2);
  }
});

test('an empty buffer is a clean end; a start offset is honoured', () => {
  const cursor = new BatchCursor(Buffer.alloc(0));
  assert.equal(cursor.next(), false);
  assert.equal(cursor.stop, 'end');
  const parts = batches();
  const all = Buffer.concat(parts);
  assert.equal([...batchViews(all, parts[0].length)].length, 2);
});

test('a too-small batchLength or a foreign magic is corrupt', () => {
  const parts = batches();
  const badLength = Buffer.concat(parts);
  badLength.writeInt32BE(10, parts[0].length + BATCH_LENGTH_OFFSET);
  const cursor = new BatchCursor(badLength);
  assert.ok(cursor.next());
  assert.ok(!cursor.next());
  assert.equal(cursor.stop, 'corrupt');
  assert.equal(cursor.position, parts[0].length);
  assert.match(cursor.reason, /batchLength 10/);
  assert.throws(
    () => [...batchViews(badLength)],
    (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'),
  );

  const oldMagic = Buffer.concat(parts);
  oldMagic[MAGIC_OFFSET] = 1;
  const c2 = new BatchCursor(oldMagic);
  assert.ok(!c2.next());
  assert.equal(c2.stop, 'corrupt');
  assert.match(c2.reason, /magic 1/);
});
