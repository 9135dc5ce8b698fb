// The per-log checkpoint file `checkpoint.json`: recovery point, log start offset and, after a clean
// close, the active segment's size so the next open can skip recovery.

import { join } from 'node:path';
import { StreamError } from '../../common/errors.ts';
import { readTextIfExists, writeFileAtomic } from './file-io.ts';

/** What a partition log persists beside its segments. */
export interface LogCheckpoint {
  /**
   * Segments whose base offset is below the segment holding this offset are fully flushed and have
   * durable indexes; recovery scans from the segment containing it.
   */
  recoveryPoint: number;
  /** First offset readers may see (moved by retention and DeleteRecords). */
  logStartOffset: number;
  /** Present only after a clean close: the state the active segment was left in. */
  clean?: { activeBaseOffset: number; activeSize: number; logEndOffset: number };
}

const FILE = 'checkpoint.json';

/** Reads the checkpoint, or null when the log never wrote one. Throws BRK_STORAGE_CORRUPT on bad content. */
export async function readCheckpoint(dir: string): Promise<LogCheckpoint | null> {
  const path = join(dir, FILE);
  const text = await readTextIfExists(path);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<LogCheckpoint> & { version?: number };
    if (
      value.version === 1 &&
      Number.isSafeInteger(value.recoveryPoint) &&
      Number.isSafeInteger(value.logStartOffset)
    ) {
      return value as LogCheckpoint;
    }
  } catch {
    // fall through: written atomically, so bad content means outside damage
  }
  throw new StreamError(
    'BRK_STORAGE_CORRUPT',
    `${path} is not a valid log checkpoint; delete it to rescan the log`,
    {
      details: { path },
    },
  );
}

/** Replaces the checkpoint atomically (temp file, fdatasync, rename, directory fsync). */
export async function writeCheckpoint(dir: string, checkpoint: LogCheckpoint): Promise<void> {
  await writeFileAtomic(join(dir, FILE), `${JSON.stringify({ version: 1, ...checkpoint })}\n`);
}
