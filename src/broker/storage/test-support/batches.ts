// Test helpers for the storage tests: a small table-driven CRC-32C and a builder of RecordBatch v2 frames.
// The records section is opaque filler (the log never decodes it), so these batches are valid frames with
// correct CRCs but not decodable records.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), bytewise. Slow but obviously right; fine for tests. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** What a test batch holds. */
export interface TestBatchSpec {
  /** Number of records (offsets) the batch spans. */
  count?: number;
  /** maxTimestamp (baseTimestamp is the same). */
  timestamp?: number;
  /** Bytes used as the records section; derive them from a seed so tests can check content. */
  payload?: Uint8Array;
}

/** Builds one v2 batch with base offset 0 and a correct CRC. */
export function makeBatch(spec: TestBatchSpec = {}): Buffer {
  const count = spec.count ?? 1;
  const payload = spec.payload ?? Buffer.alloc(0);
  const buf = Buffer.alloc(61 + payload.length);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(0, 12); // partitionLeaderEpoch
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21);
  buf.writeInt32BE(count - 1, 23);
  const ts = BigInt(spec.timestamp ?? 1_700_000_000_000);
  buf.writeBigInt64BE(ts, 27);
  buf.writeBigInt64BE(ts, 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(count, 57);
  Buffer.from(payload).copy(buf, 61);
  buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
  return buf;
}

/** Deterministic payload bytes for batch number `seed`, so a test can recompute what it wrote. */
export function payloadFor(seed: number, length = 40 + (seed % 200)): Buffer {
  const buf = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

/** A fresh temp directory and a function that removes it. */
export async function tempDir(
  prefix = 'eddy-storage-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
