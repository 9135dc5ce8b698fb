import { access, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Names of a file sink's part files. A committed part is `<prefix>-<subtask>-<n>.<ext>`. With
 * checkpoints a part is first `.<name>.inprogress` (being written), then `.<name>.pending` (closed at
 * a barrier, waiting for its checkpoint), and is renamed to its name when the checkpoint commits. The
 * leading dot hides unfinished parts from readers that skip hidden files (eddy's file source does).
 */
export type PartState = 'committed' | 'pending' | 'inprogress';

export interface PartName {
  readonly subtask: number;
  readonly number: number;
  readonly state: PartState;
}

export function partName(prefix: string, ext: string, part: PartName): string {
  const name = `${prefix}-${part.subtask}-${part.number}.${ext}`;
  return part.state === 'committed' ? name : `.${name}.${part.state}`;
}

/** The part a file name stands for, or undefined for other files. */
export function parsePartName(prefix: string, ext: string, file: string): PartName | undefined {
  const pattern = new RegExp(
    `^(\\.)?${escapeRegExp(prefix)}-(\\d+)-(\\d+)\\.${escapeRegExp(ext)}(?:\\.(pending|inprogress))?$`,
  );
  const match = pattern.exec(file);
  if (match === null) return undefined;
  const hidden = match[1] !== undefined;
  const state = (match[4] ?? 'committed') as PartState;
  if (hidden !== (state !== 'committed')) return undefined;
  return { subtask: Number(match[2]), number: Number(match[3]), state };
}

/** What a file sink's prepareCommit returns: the pending parts that checkpoint commits. */
export interface FileSinkPrepared {
  readonly directory: string;
  /** Names of pending part files in `directory`. */
  readonly files: readonly string[];
}

export function isFileSinkPrepared(value: unknown): value is FileSinkPrepared {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.directory === 'string' && Array.isArray(v.files) && v.files.every((f) => typeof f === 'string')
  );
}

/**
 * Renames a pending part to its committed name. Doing it again is harmless (a recovered checkpoint
 * commits its parts again): a pending part that is gone while its committed name exists was committed.
 */
export async function commitPart(directory: string, pending: string, committed: string): Promise<void> {
  try {
    await rename(join(directory, pending), join(directory, committed));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await access(join(directory, committed));
  }
}

export async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** fsync of a directory makes the names of newly created or renamed files in it durable (Linux, macOS). */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
