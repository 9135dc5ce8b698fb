import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StateBackendConfig } from '../plan/nodes.ts';
import type { KeyedStateBackend, KeyedStateBackendOptions } from '../state/backend.ts';
import { createHeapStateBackend } from '../state/heap-backend.ts';
import { createLmdbStateBackend } from '../state/lmdb-backend.ts';

/** What the runtime knows about a keyed operator subtask when it creates its backend. */
export interface KeyedStateBackendSpec extends KeyedStateBackendOptions {
  /** The job's choice (JobConfig.stateBackend); default 'heap'. */
  readonly backend?: StateBackendConfig;
  /** The job's state directory, if the runtime has one (lmdb files go under it). */
  readonly stateDir?: string;
  readonly jobId?: string;
  /** The operator's uid (or another name stable across restarts) and the subtask's index. */
  readonly uid?: string;
  readonly subtaskIndex?: number;
}

/**
 * The keyed state backend of one keyed operator subtask: the one place that picks the backend. lmdb
 * files go to `<dir or stateDir>/<jobId>/lmdb/<uid>-<subtask>-<pid>-<n>`, or to a temporary directory when
 * neither is known; either way they are a working copy, emptied on open and removed on dispose.
 *
 * @example
 * const backend = createKeyedStateBackend({ clock, keyGroups: { start: 0, end: 127 }, maxParallelism: 128,
 *   backend: { kind: 'lmdb' }, stateDir: '/var/eddy', jobId: 'clicks', uid: 'sessions', subtaskIndex: 0 });
 */
let instances = 0;
const swept = new Set<string>();

/**
 * Working directories left by processes that died (kill -9 skips dispose) are removed the first time
 * this process uses a job's lmdb directory. Another live process's directories (same job id, shared
 * state dir) stay: the name carries the pid, and only dead pids are swept.
 */
function sweepDeadWorkingDirs(parent: string): void {
  if (swept.has(parent)) return;
  swept.add(parent);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(/-(\d+)-\d+$/.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createKeyedStateBackend(spec: KeyedStateBackendSpec): KeyedStateBackend {
  const { clock, keyGroups, maxParallelism } = spec;
  const choice = spec.backend ?? 'heap';
  if (choice === 'heap') return createHeapStateBackend({ clock, keyGroups, maxParallelism });
  const root = choice.dir ?? spec.stateDir;
  const dir =
    root === undefined
      ? undefined
      : // Unique per backend: a restarted attempt must not share (or have removed under it) the working
        // directory of the attempt before it, whose clean-up may still be running.
        join(
          root,
          spec.jobId ?? 'job',
          'lmdb',
          `${spec.uid ?? 'operator'}-${spec.subtaskIndex ?? 0}-${process.pid}-${++instances}`,
        );
  if (dir !== undefined) sweepDeadWorkingDirs(dirname(dir));
  return createLmdbStateBackend({ clock, keyGroups, maxParallelism, dir });
}
