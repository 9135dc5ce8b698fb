// Writing one group of closed segments as one cleaned segment: every batch goes through the filter, what
// stays is written to `<base>.log.cleaned` (fdatasync'ed, modification time of the newest input kept so
// time-based retention still sees the data's age), then the log swaps it in.

import { decodeRecordBatch } from '../../protocol/record-batch/decode.ts';
import { removeFile, writeAt } from '../storage/file-io.ts';
import type { ClosedSegment, PartitionLog } from '../storage/partition-log.ts';
import {
  cleanedSegmentPath,
  discardCleanedSegment,
  openCleanedSegment,
  type SwapHooks,
} from '../storage/segment-swap.ts';
import { type FilterContext, filterBatch } from './batch-filter.ts';
import { batchesInRange } from './log-batches.ts';

/** Output bytes are gathered up to this size before each write. */
const WRITE_CHUNK = 1 << 20;

/** What a swapped-in group holds. */
export interface GroupOutcome {
  bytes: number;
  removed: number;
  /** Earliest delete horizon a kept tombstone or marker waits for, or null. */
  pendingHorizon: number | null;
}

/**
 * Cleans `group` into one segment and swaps it in; null when the log changed meanwhile (nothing swapped).
 *
 * @example const outcome = await cleanGroup(log, [seg0, seg1], ctx);
 */
export async function cleanGroup(
  log: PartitionLog,
  group: readonly ClosedSegment[],
  ctx: FilterContext,
  hooks?: SwapHooks,
): Promise<GroupOutcome | null> {
  const base = group[0].baseOffset;
  const end = group[group.length - 1].nextOffset;
  const outcome: GroupOutcome = { bytes: 0, removed: 0, pendingHorizon: null };
  const path = cleanedSegmentPath(log.dir, base);
  const fh = await log.createCleanedFile(base);
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      await writeAt(fh, Buffer.concat(pending, pendingBytes), outcome.bytes - pendingBytes);
      pending = [];
      pendingBytes = 0;
    };
    for (const segment of group) {
      for await (const stored of batchesInRange(log, segment.baseOffset, segment.nextOffset)) {
        const result = filterBatch(stored.bytes, decodeRecordBatch(stored.bytes), ctx);
        outcome.removed += result.removed;
        if (result.pendingHorizon !== null)
          outcome.pendingHorizon = Math.min(
            outcome.pendingHorizon ?? result.pendingHorizon,
            result.pendingHorizon,
          );
        if (result.bytes === null) continue;
        pending.push(result.bytes);
        pendingBytes += result.bytes.length;
        outcome.bytes += result.bytes.length;
        if (pendingBytes >= WRITE_CHUNK) await flush();
      }
    }
    if (pendingBytes > 0) await flush();
    const modified = new Date(Math.max(...group.map((s) => s.lastModified)));
    await fh.utimes(modified, modified);
    await fh.datasync();
  } catch (error) {
    await fh.close();
    await removeFile(path);
    throw error;
  }
  await fh.close();
  await hooks?.step?.('cleaned');
  const cleaned = await openCleanedSegment(log.dir, base, end, log.currentConfig.indexIntervalBytes).catch(
    async (error: unknown) => {
      await removeFile(path);
      throw error;
    },
  );
  let swapped = false;
  try {
    swapped = await log.replaceSegments(
      group.map((s) => s.baseOffset),
      cleaned,
      hooks,
    );
  } finally {
    if (!swapped) await discardCleanedSegment(log.dir, cleaned);
  }
  return swapped ? outcome : null;
}
