import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StreamError } from '../../common/errors.ts';

/**
 * The files a file source reads under `path`: the path itself when it is a file, else the regular files
 * directly in the directory, sorted by name. Names starting with "." or "_" are skipped (the usual marks
 * for hidden and in-progress files).
 */
export async function listFiles(path: string): Promise<{ directory: boolean; files: string[] }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw unreadable(path, cause);
  }
  if (info.isFile()) return { directory: false, files: [path] };
  if (!info.isDirectory()) throw unreadable(path, new Error('neither a file nor a directory'));
  try {
    const entries = await readdir(path, { withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.startsWith('_'))
      .map((e) => e.name)
      .sort();
    return { directory: true, files: files.map((name) => join(path, name)) };
  } catch (cause) {
    throw unreadable(path, cause);
  }
}

export function unreadable(path: string, cause: unknown): StreamError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StreamError(
    'CON_FILE_UNREADABLE',
    `file source cannot read ${path}: ${reason}. Check that the path exists and this process may read it.`,
    { cause, details: { path } },
  );
}

/**
 * Which subtask reads a file a watching source discovers later. Every subtask must agree without
 * talking to each other, and a position in a listing would shift when new names sort before old ones,
 * so the choice hashes the name (FNV-1a).
 */
export function ownerOf(file: string, parallelism: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) {
    hash ^= file.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % parallelism;
}
