import type { Clock } from '../common/time.ts';
import type { KeyedStateStore } from '../plan/state.ts';
import type { KeyGroupRange } from './key-groups.ts';
import type { SnapshotReader, SnapshotWriter } from './snapshot-format.ts';

/**
 * Keyed state of one operator subtask. The operator sets the current key before calling user code;
 * every handle from `store()` then reads and writes that key's entry. A namespace separates state of
 * the same key in different windows.
 */
export interface KeyedStateBackend {
  setCurrentKey(key: unknown): void;
  currentKey(): unknown;
  /** Handles for the default namespace, or for a named one (e.g. a window "start:end"). */
  store(namespace?: string): KeyedStateStore;
  /** Drops every entry of a namespace for the current key (window purge). */
  clearNamespace(namespace: string): void;
  /**
   * Moves the current key's state of each source namespace into `target` and clears the sources:
   * lists concatenate, maps add missing entries, reducing/aggregating states combine (aggregating needs
   * merge()), a value state keeps the target's value if it has one. Session windows use it to merge.
   */
  mergeNamespaces(target: string, sources: readonly string[]): void;
  /** Distinct keys holding any state (for metrics and tests). */
  keyCount(): number;
  /**
   * Writes every entry (canonical format) as of now. What is written must not change when state is
   * updated afterwards; a backend may return a promise for work done after the consistent cut
   * (asynchronous snapshot), and processing continues meanwhile. With `options.incrementalBase` a
   * backend that can (lmdb) writes only what changed since that checkpoint (see BackendSnapshotOptions).
   */
  snapshot(writer: SnapshotWriter, options?: BackendSnapshotOptions): void | Promise<void>;
  /** Loads entries (of this subtask's key groups) into an empty backend. */
  restore(reader: SnapshotReader): void | Promise<void>;
  dispose(): void;
}

/**
 * What the checkpoint coordinator tells a backend about the snapshot it asks for. Savepoints pass no
 * options (or no `incrementalBase`) and always get a complete snapshot.
 */
export interface BackendSnapshotOptions {
  readonly checkpointId: number;
  /**
   * A completed checkpoint of this subtask whose snapshot files stay available. A backend that supports
   * it may write only the changes since that checkpoint: the writer's chain() then names the base, and
   * the restore must read the base's files too (openSnapshotReader resolves the chain). A backend that
   * cannot (heap), or that did not write that checkpoint itself, writes a complete snapshot.
   */
  readonly incrementalBase?: number;
}

export interface KeyedStateBackendOptions {
  readonly clock: Clock;
  readonly keyGroups: KeyGroupRange;
  readonly maxParallelism: number;
}
