// The log the compaction crash test shares between parent and child: small segments, and records whose
// key and value are functions of their offset.

import type { PartitionLog } from '../../storage/partition-log.ts';
import { batchOf, openLog } from './records.ts';

/** Number of distinct keys: few, so most records get superseded. */
export const KEYS = 7;

/**
 * The record written at `offset`: mostly updates of a few hot keys, plus every tenth record a key written
 * once, which must survive every clean wherever its segment is.
 */
export function recordAt(offset: number): { key: string; value: string } {
  const key = offset % 10 === 0 ? `once-${offset}` : `k${(offset * 2_654_435_761) % KEYS}`;
  return { key, value: `v${offset}-${'z'.repeat(offset % 23)}` };
}

/** Opens the crash-test log. */
export function openCrashLog(dir: string): Promise<PartitionLog> {
  return openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 128 });
}

/** Appends `batches` batches of 1–4 derived records, rotating codecs. */
export async function appendDerived(log: PartitionLog, batches: number): Promise<void> {
  for (let i = 0; i < batches; i++) {
    const base = log.logEndOffset;
    const count = 1 + (base % 4);
    const records = Array.from({ length: count }, (_, j) => ({
      ...recordAt(base + j),
      timestamp: 1_000 + base + j,
    }));
    await log.append(batchOf(records, { compression: base % 5 }));
  }
}
