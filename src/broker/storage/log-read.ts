// The read path of a partition log: find the batch holding an offset (or the first batch at or after a
// timestamp) and return whole batches with one positional file read. Reads run concurrently with appends
// and retention, so they work on a snapshot of the segment list and pin each segment while using it.

import { batchBaseOffset, batchSize, LOG_OVERHEAD } from './batch-frame.ts';
import type { LogSegment } from './segment.ts';

/** Readable end of the log: an offset and the byte in its segment where readable data ends. */
export interface ReadMark {
  offset: number;
  segment: LogSegment;
  bytes: number;
}

/**
 * Whole batches from the segment holding `fetchOffset`, starting with the batch that contains it; at
 * least that batch (KIP-74), then more while they fit in `maxBytes` and start below `maxOffset`. Bytes
 * beyond `mark` are read only when `maxOffset` is above the mark's offset.
 */
export async function readBatches(
  segments: readonly LogSegment[],
  fetchOffset: number,
  maxBytes: number,
  mark: ReadMark,
  maxOffset: number,
): Promise<Buffer | null> {
  for (const segment of segments.slice(segmentIndexFor(segments, fetchOffset))) {
    if (fetchOffset >= maxOffset) break;
    const limit = readLimit(segment, mark, maxOffset);
    if (limit === 0) {
      // A closed segment compaction emptied lies below the mark: step over it. Otherwise nothing more is readable.
      if (segment.size === 0 && segment !== mark.segment && segment !== segments[segments.length - 1])
        continue;
      break;
    }
    if (!segment.tryRetain()) continue; // deleted by retention meanwhile
    try {
      const first = await segment.findOffset(fetchOffset, limit);
      if (first === null) continue;
      if (first.baseOffset >= maxOffset) break;
      const length = Math.max(first.size, Math.min(maxBytes, limit - first.position));
      const bytes = await segment.read(first.position, length);
      return bytes.subarray(0, wholeBatchesEnd(bytes, maxOffset));
    } finally {
      await segment.release();
    }
  }
  return null;
}

/** The first batch below `mark` with maxTimestamp >= `ts` and offsets at or above `minOffset`. */
export async function findTimestamp(
  segments: readonly LogSegment[],
  ts: number,
  mark: ReadMark,
  minOffset: number,
): Promise<{ offset: number; maxTimestamp: number } | null> {
  for (const segment of [...segments]) {
    if (segment.maxTimestamp < ts) continue;
    const limit = readLimit(segment, mark, mark.offset);
    if (limit === 0) break;
    if (!segment.tryRetain()) continue;
    try {
      const frame = await segment.findTimestamp(ts, limit, minOffset);
      if (frame !== null)
        return { offset: Math.max(frame.baseOffset, minOffset), maxTimestamp: frame.maxTimestamp };
    } finally {
      await segment.release();
    }
  }
  return null;
}

/** Index of the last segment whose base offset is <= offset (0 if none). */
export function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid].baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** How many bytes of `segment` a reader bounded by `maxOffset` may see. */
function readLimit(segment: LogSegment, mark: ReadMark, maxOffset: number): number {
  if (maxOffset > mark.offset) return segment.size;
  if (segment === mark.segment) return mark.bytes;
  return segment.baseOffset < mark.segment.baseOffset ? segment.size : 0;
}

/** End of the last whole batch in `buf` that starts below `maxOffset`. */
function wholeBatchesEnd(buf: Buffer, maxOffset: number): number {
  let at = 0;
  while (at + LOG_OVERHEAD <= buf.length) {
    const size = batchSize(buf, at);
    if (at + size > buf.length || batchBaseOffset(buf, at) >= maxOffset) break;
    at += size;
  }
  return at;
}
