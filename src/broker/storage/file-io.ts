// Small file helpers shared by the log, the topic metadata and the meta store.

import { createHash } from 'node:crypto';
import { type FileHandle, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** The whole file as UTF-8 text, or null when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/** Writes all of `data` at `position`; loops because a positional write may be short. */
export async function writeAt(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** fsyncs a directory so that file creations, renames and deletions in it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content: write a temp file,
 * fdatasync it, rename it over the target, fsync the directory.
 *
 * @example
 * await writeFileAtomic('/data/topics/orders.json', JSON.stringify(meta));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  try {
    await writeAt(fh, typeof data === 'string' ? Buffer.from(data) : data, 0);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** The longest file name (in bytes) common file systems accept (Linux NAME_MAX). */
const NAME_MAX = 255;

/**
 * `<path>.tmp`, or, when that name would be too long (the `.json` of a topic with a 249-character name,
 * which Kafka allows), a digest of the name with `.tmp`: still in the same directory for the rename,
 * still ending in `.tmp` for the cleanup of leftovers.
 */
function tempPathFor(path: string): string {
  const name = basename(path);
  if (Buffer.byteLength(name) + 4 <= NAME_MAX) return `${path}.tmp`;
  return join(dirname(path), `${createHash('sha256').update(name).digest('hex')}.tmp`);
}

/** Removes a file, ignoring that it is already gone. */
export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Whether an error is a Node file-system error with the given code (ENOENT, EEXIST...). */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
