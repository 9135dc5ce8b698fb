// Which segments retention may delete: a pure function over segment statistics, so the policy is testable
// without files. Deletion is whole segments from the oldest end, in Kafka's order: time, size, then
// segments wholly below the log start offset.

/** What retention needs to know about one segment (oldest first; the last one is the active segment). */
export interface SegmentStats {
  baseOffset: number;
  /** Offset after the segment's last batch. */
  nextOffset: number;
  size: number;
  /** Largest batch timestamp, or a file time when batches carry none. */
  timestamp: number;
}

/** The limits and the state retention must respect. */
export interface RetentionInput {
  retentionMs: number;
  retentionBytes: number;
  now: number;
  /** Offsets at or above this are not yet durable/visible; their segments are kept. */
  highWatermark: number;
  logStartOffset: number;
}

/**
 * How many of the oldest segments to delete. The count may include the active (last) segment; the caller
 * then rolls first so that the deleted segment is no longer active (Kafka does the same for expired data).
 *
 * @example
 * segmentsToDelete(segs, { retentionMs: 60_000, retentionBytes: -1, now, highWatermark, logStartOffset });
 */
export function segmentsToDelete(segments: readonly SegmentStats[], input: RetentionInput): number {
  let count = 0;
  // A segment is only ever removed when all of it is below the high watermark, and never an empty active
  // one (compaction can leave closed segments empty; those go by their file time like any other).
  const last = segments.length - 1;
  const removable = (s: SegmentStats) =>
    s.nextOffset <= input.highWatermark && (s.size > 0 || s !== segments[last]);

  if (input.retentionMs >= 0) {
    while (count < segments.length) {
      const s = segments[count];
      if (!removable(s) || input.now - s.timestamp <= input.retentionMs) break;
      count++;
    }
  }
  if (input.retentionBytes >= 0) {
    let excess = segments.reduce((sum, s, i) => (i < count ? sum : sum + s.size), 0) - input.retentionBytes;
    while (count < segments.length) {
      const s = segments[count];
      if (!removable(s) || excess - s.size < 0) break;
      excess -= s.size;
      count++;
    }
  }
  return Math.max(count, segmentsBelow(segments, input.logStartOffset));
}

/** How many of the oldest segments lie wholly below `logStartOffset` (never the active one). */
export function segmentsBelow(segments: readonly SegmentStats[], logStartOffset: number): number {
  let count = 0;
  while (count < segments.length - 1 && segments[count].nextOffset <= logStartOffset) count++;
  return count;
}
