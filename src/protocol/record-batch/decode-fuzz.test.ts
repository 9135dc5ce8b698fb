import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamError } from '../../common/errors.ts';
import { seededRandom } from '../../common/random.ts';
import { BatchCursor } from './batch-cursor.ts';
import { decodeControlRecord } from './control.ts';
import { decodeRecordBatch, decodeRecordBatches } from './decode.ts';
import { encodeRecordBatch } from './encode.ts';
import {
  BATCH_LENGTH_OFFSET,
  MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
  rewriteBatchCrc,
} from './header.ts';

/**
 * 20,000 random and mutated buffers through the decoder: the only exception allowed out is
 * StreamError. Half the mutants get their length, magic and CRC repaired so the fuzzing reaches the
 * decompressors and the record parser instead of stopping at the CRC check. Seeded, so a failure
 * names the case that reproduces it.
 */

const CASES = 20_000;

function seeds(): Buffer[] {
  const records = Array.from({ length: 6 }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`key${i}`),
    value: Buffer.from(`value-${i}-`.repeat(i + 1)),
    headers: i % 2 ? [{ key: 'h', value: Buffer.from([i]) }] : [],
    timestamp: 1_700_000_000_000 + i,
  }));
  const out: Buffer[] = [];
  for (const compression of [0, 1, 2, 3, 4]) out.push(encodeRecordBatch(records, { compression }));
  out.push(encodeRecordBatch(records, { compression: 2, snappyFormat: 'xerial' }));
  out.push(encodeRecordBatch([], { lastOffsetDelta: 2 }));
  return out;
}

function mutate(base: Buffer, rand: () => number): Buffer {
  let buf = Buffer.from(base);
  const kind = Math.floor(rand() * 5);
  if (kind === 0) {
    const flips = 1 + Math.floor(rand() * 8);
    for (let i = 0; i < flips; i++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
  } else if (kind === 1) {
    buf = buf.subarray(0, Math.floor(rand() * buf.length));
  } else if (kind === 2) {
    const extra = Buffer.from(
      Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)),
    );
    buf = Buffer.concat([buf, extra]);
  } else if (kind === 3) {
    // Overwrite a run inside the records area with random bytes.
    const start =
      RECORD_BATCH_OVERHEAD + Math.floor(rand() * Math.max(1, buf.length - RECORD_BATCH_OVERHEAD));
    for (let i = start; i < Math.min(buf.length, start + 1 + Math.floor(rand() * 16)); i++) {
      buf[i] = Math.floor(rand() * 256);
    }
  } else {
    buf = Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
  }
  if (rand() < 0.5 && buf.length >= RECORD_BATCH_OVERHEAD) {
    buf.writeInt32BE(buf.length - 12, BATCH_LENGTH_OFFSET);
    buf[MAGIC_OFFSET] = 2;
    rewriteBatchCrc(buf, 0);
  }
  return buf;
}

test(`${CASES} random and mutated buffers only ever throw StreamError`, () => {
  const rand = seededRandom(20240611);
  const bases = seeds();
  let decoded = 0;
  for (let i = 0; i < CASES; i++) {
    const buf = mutate(bases[i % bases.length], rand);
    const tryIt = (what: string, run: () => unknown): void => {
      try {
        run();
      } catch (e) {
        if (!(e instanceof StreamError)) {
          assert.fail(
            `case ${i} (${what}) threw ${(e as Error)?.name}: ${(e as Error)?.message}\n${buf.toString('hex')}`,
          );
        }
        return;
      }
      if (what === 'decodeRecordBatch') decoded++;
    };
    tryIt('decodeRecordBatch', () => {
      const batch = decodeRecordBatch(buf);
      if (batch.control)
        for (const r of batch.records) tryIt('decodeControlRecord', () => decodeControlRecord(r));
    });
    tryIt('decodeRecordBatches', () => decodeRecordBatches(buf));
    // The cursor and the header reader are used on raw network bytes: they must not throw at all.
    const cursor = new BatchCursor(buf);
    while (cursor.next());
    assert.notEqual(cursor.stop, 'running');
    if (buf.length >= RECORD_BATCH_OVERHEAD) readBatchHeader(buf, 0);
  }
  // Some mutants must decode, or the repairs are not reaching the record parser.
  assert.ok(decoded > 100, `only ${decoded} mutants decoded`);
});
