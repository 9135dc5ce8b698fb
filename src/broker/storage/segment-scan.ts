// Sequential walks over a segment file's batches, in large chunked reads. Used by recovery (with CRC
// checks), by index rebuilds, and by reads that must find the batch holding an offset.

import type { FileHandle } from 'node:fs/promises';
import {
  type BatchFrame,
  batchCrcMatches,
  batchSize,
  type Crc32c,
  frameProblem,
  LOG_OVERHEAD,
  readFrame,
} from './batch-frame.ts';
import { readAt } from './file-io.ts';

const CHUNK = 1 << 20;
/** Bytes of header needed to know a batch's size, offsets and max timestamp. */
const PEEK = 43;

/** How a scan ended: `end` is the position after the last good batch; `problem` says why it stopped early. */
export interface ScanResult {
  end: number;
  problem: string | null;
}

/** What a full scan checks beyond framing. */
export interface ScanChecks {
  /** Verify each batch's CRC-32C (recovery); omit for trusted data. */
  crc32c?: Crc32c;
  /** Smallest acceptable base offset of the first batch (the segment's base offset). */
  minOffset: number;
}

/**
 * Calls `onBatch` for each valid batch in [from, to) and stops at the first invalid one: bad framing, a
 * CRC mismatch, or offsets that do not increase.
 */
export async function scanBatches(
  fh: FileHandle,
  from: number,
  to: number,
  checks: ScanChecks,
  onBatch: (frame: BatchFrame) => void,
): Promise<ScanResult> {
  let buf: Buffer = Buffer.alloc(0);
  let bufStart = from;
  let pos = from;
  let expected = checks.minOffset;
  while (pos < to) {
    if (pos + LOG_OVERHEAD > bufStart + buf.length) {
      buf = await readAt(fh, pos, Math.min(CHUNK, to - pos));
      bufStart = pos;
    }
    if (buf.length - (pos - bufStart) >= LOG_OVERHEAD) {
      const need = batchSize(buf, pos - bufStart);
      if (need > LOG_OVERHEAD && need <= to - pos && pos + need > bufStart + buf.length) {
        buf = await readAt(fh, pos, Math.max(need, Math.min(CHUNK, to - pos)));
        bufStart = pos;
      }
    }
    const at = pos - bufStart;
    const problem = frameProblem(buf, at, Math.min(buf.length, to - bufStart));
    if (problem !== null) return { end: pos, problem: `at byte ${pos}: ${problem}` };
    const frame = readFrame(buf, at, pos);
    if (frame.baseOffset < expected) {
      return { end: pos, problem: `at byte ${pos}: base offset ${frame.baseOffset} is below ${expected}` };
    }
    if (checks.crc32c !== undefined && !batchCrcMatches(buf, at, checks.crc32c)) {
      return { end: pos, problem: `at byte ${pos}: CRC-32C mismatch` };
    }
    onBatch(frame);
    expected = frame.baseOffset + frame.lastOffsetDelta + 1;
    pos += frame.size;
  }
  return { end: pos, problem: null };
}

/**
 * Finds the first batch in [from, limit) that satisfies `stop`, reading only headers (batches are skipped
 * without reading their records). Returns null when none does. Data before `limit` is trusted.
 */
export async function seekBatch(
  fh: FileHandle,
  from: number,
  limit: number,
  stop: (frame: BatchFrame) => boolean,
): Promise<BatchFrame | null> {
  // Index entries are ~4 KiB apart, so one small read usually covers every header up to the target.
  const window = 16 * 1024;
  let pos = from;
  while (pos + PEEK <= limit) {
    const buf = await readAt(fh, pos, Math.min(window, limit - pos));
    let at = 0;
    while (at + PEEK <= buf.length) {
      const frame = readFrame(buf, at, pos + at);
      if (frame.size < PEEK || pos + at + frame.size > limit) return null;
      if (stop(frame)) return frame;
      at += frame.size;
    }
    if (at === 0) return null;
    pos += at;
  }
  return null;
}
