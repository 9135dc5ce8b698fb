import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StreamError } from '../../common/errors.ts';
import { type CheckpointManifest, MANIFEST_FILE, MANIFEST_FORMAT } from './manifest.ts';

/**
 * Where checkpoints live (docs/internals/checkpoints.md):
 *   <stateDir>/<jobId>/checkpoints/chk-<N>/<uid>-<subtask>.snap + _metadata.json
 *   <stateDir>/<jobId>/savepoints.json   savepoints this job took elsewhere, for 'latest'
 * Nothing is written outside <stateDir>/<jobId> (savepoints go where the user asks).
 */
const CHECKPOINT_DIR = /^chk-(\d+)$/;

/** Job ids become directory names: letters, digits, '.', '_', '-' only. */
export function checkJobIdForStateDir(jobId: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(jobId) || jobId === '.' || jobId === '..') {
    throw new StreamError(
      'ENG_INVALID_JOB',
      `job id "${jobId}" cannot name a state directory; use letters, digits, ".", "_" and "-" only`,
      { details: { jobId } },
    );
  }
}

export function jobStateDir(stateDir: string, jobId: string): string {
  return join(resolve(stateDir), jobId);
}

export function checkpointDir(stateDir: string, jobId: string, id: number): string {
  return join(jobStateDir(stateDir, jobId), 'checkpoints', `chk-${id}`);
}

/** Writes a file so that it is either absent or complete after a crash: temp file, fsync, rename, fsync dir. */
export async function writeFileDurably(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

export function writeManifest(dir: string, manifest: CheckpointManifest): Promise<void> {
  return writeFileDurably(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads the manifest of a checkpoint or savepoint directory (or of the `_metadata.json` path itself). */
export async function readManifest(path: string): Promise<{ dir: string; manifest: CheckpointManifest }> {
  const absolute = resolve(path);
  const dir = absolute.endsWith(MANIFEST_FILE) ? dirname(absolute) : absolute;
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as CheckpointManifest;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `no readable checkpoint at ${path} (${reason}); give the directory of a checkpoint or savepoint, which holds ${MANIFEST_FILE}`,
      { cause, details: { path } },
    );
  }
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.operators)) {
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `${join(dir, MANIFEST_FILE)} has format ${String(manifest.format)}; this eddy reads format ${MANIFEST_FORMAT}`,
      { details: { path } },
    );
  }
  return { dir, manifest };
}

export interface StoredCheckpoint {
  readonly id: number;
  readonly dir: string;
  /** Undefined when the manifest is missing (the checkpoint never got that far) or unreadable. */
  readonly manifest: CheckpointManifest | undefined;
}

/** Every chk-<N> directory of a job, oldest first. */
export async function listCheckpoints(stateDir: string, jobId: string): Promise<StoredCheckpoint[]> {
  const root = join(jobStateDir(stateDir, jobId), 'checkpoints');
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const found: StoredCheckpoint[] = [];
  for (const name of names) {
    const match = CHECKPOINT_DIR.exec(name);
    if (match === null) continue;
    const dir = join(root, name);
    const manifest = await readManifest(dir).then(
      (read) => read.manifest,
      () => undefined,
    );
    found.push({ id: Number(match[1]), dir, manifest });
  }
  return found.sort((a, b) => a.id - b.id);
}

/**
 * Keeps the newest `retained` completed checkpoints. Deletes older completed ones and every
 * checkpoint older than the newest completed one that never completed (failed or aborted).
 */
export async function applyRetention(stateDir: string, jobId: string, retained: number): Promise<void> {
  const all = await listCheckpoints(stateDir, jobId);
  const completed = all.filter((c) => c.manifest?.state === 'completed');
  if (completed.length === 0) return;
  const retainedOnes = completed.slice(-retained);
  const keep = new Set(retainedOnes.map((c) => c.id));
  // Incremental files build on earlier checkpoints' files: those directories stay while needed.
  const needed = new Set<string>();
  for (const checkpoint of retainedOnes)
    for (const op of checkpoint.manifest?.operators ?? [])
      for (const entry of op.subtasks)
        for (const file of entry.baseFiles ?? []) needed.add(resolve(checkpoint.dir, dirname(file)));
  const newest = completed[completed.length - 1].id;
  for (const checkpoint of all)
    if (checkpoint.id < newest && !keep.has(checkpoint.id) && !needed.has(resolve(checkpoint.dir)))
      await rm(checkpoint.dir, { recursive: true, force: true });
}

export interface SavepointRecord {
  readonly checkpointId: number;
  readonly path: string;
  readonly completedAt: number;
}

function savepointIndex(stateDir: string, jobId: string): string {
  return join(jobStateDir(stateDir, jobId), 'savepoints.json');
}

/** Savepoints this job wrote; restoring 'latest' considers them (a savepoint's sinks committed too). */
export async function readSavepointRecords(stateDir: string, jobId: string): Promise<SavepointRecord[]> {
  try {
    return JSON.parse(await readFile(savepointIndex(stateDir, jobId), 'utf8')) as SavepointRecord[];
  } catch {
    return [];
  }
}

export async function recordSavepoint(
  stateDir: string,
  jobId: string,
  record: SavepointRecord,
): Promise<void> {
  const records = await readSavepointRecords(stateDir, jobId);
  records.push(record);
  await mkdir(jobStateDir(stateDir, jobId), { recursive: true });
  await writeFileDurably(savepointIndex(stateDir, jobId), `${JSON.stringify(records.slice(-20), null, 2)}\n`);
}
