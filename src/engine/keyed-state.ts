import { join } from 'node:path';
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
 * files go to `<dir or stateDir>/<jobId>/lmdb/<uid>-<subtask>`, or to a temporary directory when
 * neither is known; either way they are a working copy, emptied on open and removed on dispose.
 *
 * @example
 * const backend = createKeyedStateBackend({ clock, keyGroups: { start: 0, end: 127 }, maxParallelism: 128,
 *   backend: { kind: 'lmdb' }, stateDir: '/var/eddy', jobId: 'clicks', uid: 'sessions', subtaskIndex: 0 });
 */
export function createKeyedStateBackend(spec: KeyedStateBackendSpec): KeyedStateBackend {
  const { clock, keyGroups, maxParallelism } = spec;
  const choice = spec.backend ?? 'heap';
  if (choice === 'heap') return createHeapStateBackend({ clock, keyGroups, maxParallelism });
  const root = choice.dir ?? spec.stateDir;
  const dir =
    root === undefined
      ? undefined
      : join(root, spec.jobId ?? 'job', 'lmdb', `${spec.uid ?? 'operator'}-${spec.subtaskIndex ?? 0}`);
  return createLmdbStateBackend({ clock, keyGroups, maxParallelism, dir });
}
