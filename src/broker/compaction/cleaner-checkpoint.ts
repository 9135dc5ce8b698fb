// The cleaner's own state per partition, `cleaner-checkpoint.json` beside the segments (Kafka keeps the
// same facts in `cleaner-offset-checkpoint`): where the dirty part starts, and the earliest delete horizon
// a kept tombstone or marker waits for. Losing it only costs work: the whole log counts as dirty again.

import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../storage/file-io.ts';

/** What the cleaner remembers about one partition. */
export interface CleanerCheckpoint {
  /** Offsets below this were compacted by an earlier clean. */
  firstDirtyOffset: number;
  /** Earliest delete horizon still waited for, or null. */
  pendingHorizon: number | null;
}

const FILE = 'cleaner-checkpoint.json';

/** Reads the checkpoint; null when missing or unreadable (the caller then treats everything as dirty). */
export async function readCleanerCheckpoint(dir: string): Promise<CleanerCheckpoint | null> {
  const text = await readTextIfExists(join(dir, FILE));
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<CleanerCheckpoint> & { version?: number };
    const horizon = value.pendingHorizon;
    if (
      value.version === 1 &&
      Number.isSafeInteger(value.firstDirtyOffset) &&
      (horizon === null || Number.isSafeInteger(horizon))
    ) {
      return { firstDirtyOffset: value.firstDirtyOffset as number, pendingHorizon: horizon ?? null };
    }
  } catch {
    // written atomically, so bad content means outside damage: start over
  }
  return null;
}

/** Replaces the checkpoint atomically. */
export async function writeCleanerCheckpoint(dir: string, checkpoint: CleanerCheckpoint): Promise<void> {
  await writeFileAtomic(join(dir, FILE), `${JSON.stringify({ version: 1, ...checkpoint })}\n`);
}
