// Whether to clean a partition now and which segments: pure functions over segment statistics, in Kafka's
// terms (LogCleanerManager): the "clean" part was compacted before, the "dirty" part since the last clean
// ends at the first uncleanable offset (active segment, open transaction, min.compaction.lag.ms).

import type { ClosedSegment } from '../storage/partition-log.ts';
import { MAX_RELATIVE_OFFSET } from '../storage/segment.ts';
import type { CompactionConfig } from './compaction-config.ts';

/** What the decision reads. */
export interface PlanInput {
  /** Closed segments, oldest first (never the active one). */
  segments: readonly ClosedSegment[];
  /** Offsets below this were compacted by an earlier clean (the cleaner checkpoint). */
  firstDirtyOffset: number;
  now: number;
  config: CompactionConfig;
  /** Oldest open transaction's first offset, or null: nothing from its segment on is cleaned. */
  firstUnstableOffset: number | null;
  /** Earliest delete horizon a kept tombstone or marker waits for, or null. */
  pendingHorizon: number | null;
  /** First record timestamp of the dirty part, for max.compaction.lag.ms (null when unknown). */
  firstDirtyTimestamp: number | null;
  /** Clean whatever is cleanable, whatever the ratio (tests, admin tools). */
  force: boolean;
}

/** Why a clean runs. */
export type CleanReason = 'dirty-ratio' | 'max-compaction-lag' | 'delete-horizon' | 'forced';

/** A decided clean. */
export interface CleanPlan {
  /** Segments to rewrite: from the oldest up to the first uncleanable one. */
  cleanable: ClosedSegment[];
  /** Index in `cleanable` of the first dirty segment (whose keys go into the key map). */
  firstDirtyIndex: number;
  dirtyRatio: number;
  reason: CleanReason;
}

/** A segment's time for the compaction lag: its newest batch, or its file time when batches have none. */
function segmentTime(s: ClosedSegment): number {
  return s.maxTimestamp >= 0 ? s.maxTimestamp : s.lastModified;
}

/**
 * The clean to run now, or null. Kafka cleans when dirty bytes are more than min.cleanable.dirty.ratio of
 * the cleanable bytes, or when the oldest dirty record passed max.compaction.lag.ms; eddy also cleans when
 * a kept tombstone's delete horizon has passed, so deletions finish without waiting for new writes.
 *
 * @example planClean({ segments, firstDirtyOffset: 0, now, config, firstUnstableOffset: null,
 *   pendingHorizon: null, firstDirtyTimestamp: null, force: false });
 */
export function planClean(input: PlanInput): CleanPlan | null {
  const { segments, config, now } = input;
  let end = 0;
  while (end < segments.length) {
    const s = segments[end];
    if (input.firstUnstableOffset !== null && s.nextOffset > input.firstUnstableOffset) break;
    const dirty = s.nextOffset > input.firstDirtyOffset;
    if (dirty && config.minCompactionLagMs > 0 && segmentTime(s) > now - config.minCompactionLagMs) break;
    end++;
  }
  const cleanable = segments.slice(0, end);
  if (cleanable.length === 0) return null;
  let firstDirtyIndex = cleanable.findIndex((s) => s.nextOffset > input.firstDirtyOffset);
  if (firstDirtyIndex < 0) firstDirtyIndex = cleanable.length;
  const total = cleanable.reduce((sum, s) => sum + s.size, 0);
  const dirtyBytes = cleanable.slice(firstDirtyIndex).reduce((sum, s) => sum + s.size, 0);
  const dirtyRatio = total === 0 ? 0 : dirtyBytes / total;
  const plan = (reason: CleanReason): CleanPlan => ({ cleanable, firstDirtyIndex, dirtyRatio, reason });
  if (input.force) return plan('forced');
  if (dirtyBytes > 0 && dirtyRatio > config.minCleanableDirtyRatio) return plan('dirty-ratio');
  if (
    dirtyBytes > 0 &&
    input.firstDirtyTimestamp !== null &&
    now - input.firstDirtyTimestamp > config.maxCompactionLagMs
  )
    return plan('max-compaction-lag');
  if (input.pendingHorizon !== null && now >= input.pendingHorizon) return plan('delete-horizon');
  return null;
}

/**
 * Splits contiguous segments into groups that each become one cleaned segment: at most `maxBytes` of
 * input (so the output fits a segment), and an offset span the 4-byte relative index entries can hold
 * (Kafka's groupSegmentsBySize). Small segments left by earlier cleans merge this way.
 */
export function groupSegments(segments: readonly ClosedSegment[], maxBytes: number): ClosedSegment[][] {
  const groups: ClosedSegment[][] = [];
  for (const s of segments) {
    const group = groups.at(-1);
    const fits =
      group !== undefined &&
      group.reduce((sum, g) => sum + g.size, 0) + s.size <= maxBytes &&
      s.nextOffset - 1 - group[0].baseOffset <= MAX_RELATIVE_OFFSET;
    if (fits) group.push(s);
    else groups.push([s]);
  }
  return groups;
}
