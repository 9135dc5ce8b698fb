import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import {
  batchBaseOffset,
  batchCrcMatches,
  batchLastOffsetDelta,
  batchMagic,
  batchMaxTimestamp,
  batchSize,
  frameBatches,
  frameProblem,
  setBatchBaseOffset,
} from './batch-frame.ts';
import { crc32c, makeBatch, payloadFor } from './test-support/batches.ts';

test('the test CRC-32C matches the standard check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('header fields are read from their fixed v2 positions', () => {
  const batch = makeBatch({ count: 7, timestamp: 1_712_345_678_901, payload: payloadFor(1, 33) });
  assert.equal(batchSize(batch, 0), 61 + 33);
  assert.equal(batchMagic(batch, 0), 2);
  assert.equal(batchLastOffsetDelta(batch, 0), 6);
  assert.equal(batchMaxTimestamp(batch, 0), 1_712_345_678_901);
  assert.equal(batchBaseOffset(batch, 0), 0);
  assert.equal(batchCrcMatches(batch, 0, crc32c), true);
});

test('rewriting the base offset keeps the CRC valid and handles offsets above 2^32', () => {
  const batch = makeBatch();
  for (const offset of [1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER - 10]) {
    setBatchBaseOffset(batch, 0, offset);
    assert.equal(batchBaseOffset(batch, 0), offset);
    assert.equal(batch.readBigInt64BE(0), BigInt(offset));
  }
  assert.equal(batchCrcMatches(batch, 0, crc32c), true);
  batch[batch.length - 1] ^= 1; // recordsCount, covered by the CRC
  assert.equal(batchCrcMatches(batch, 0, crc32c), false);
});

test('frameBatches splits concatenated batches and rejects bad framing', () => {
  const a = makeBatch({ count: 2 });
  const b = makeBatch({ payload: payloadFor(2) });
  const frames = frameBatches(Buffer.concat([a, b]));
  assert.deepEqual(
    frames.map((f) => [f.position, f.size, f.lastOffsetDelta]),
    [
      [0, a.length, 1],
      [a.length, b.length, 0],
    ],
  );
  const bad = (buf: Buffer) =>
    assert.throws(
      () => frameBatches(buf),
      (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'),
    );
  bad(Buffer.alloc(0));
  bad(Buffer.concat([a, b.subarray(0, 30)]));
  const short = makeBatch();
  short.writeInt32BE(10, 8);
  bad(short);
  const magic1 = makeBatch();
  magic1.writeInt8(1, 16);
  bad(magic1);
  assert.match(frameProblem(magic1, 0, magic1.length) ?? '', /magic 1/);
});
