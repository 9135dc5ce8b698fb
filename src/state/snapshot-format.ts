/**
 * The canonical snapshot format, shared by every backend so a savepoint taken on one restores on the
 * other (and at another parallelism: keyed entries are grouped by key group, operator state is a list).
 *
 * One operator subtask's part of a checkpoint is written through a SnapshotWriter and read back with a
 * SnapshotReader. Values are anything the structured clone algorithm (node:v8 serialize) handles.
 * docs/internals/state-snapshots.md describes the file layout and the incremental chains.
 */

export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** One entry of keyed state: state `state` of `key` in `namespace` ('' = the default namespace). */
export interface KeyedStateEntry {
  readonly state: string;
  readonly key: unknown;
  readonly namespace: string;
  /**
   * value / reducing / aggregating: the value or accumulator; list: the array of elements;
   * map: an array of [mapKey, mapValue] pairs.
   */
  readonly value: unknown;
  /** Last write (or access, with read-and-write TTL) in epoch ms, for single-value state with TTL. */
  readonly touchedAt?: number;
  /**
   * The state's kind. Backends always write it, so a restore can store `value` before the state's
   * descriptor is used again; operator entries (OPERATOR_STATE_PREFIX) may leave it out.
   */
  readonly kind?: StateKind;
  /** list / map with TTL: the stamp of each element / entry, in the order of `value`. */
  readonly stamps?: readonly number[];
}

/** Timers are keyed state too: they move with their key group. */
export interface TimerEntry {
  readonly domain: 'event' | 'processing';
  readonly key: unknown;
  readonly namespace: string;
  readonly time: number;
  /**
   * Rank in firing order among the subtask's timers (ties at one time fire in registration order), so
   * a restored run fires them as the original would have. Optional for writers that do not know it.
   */
  readonly order?: number;
}

/**
 * Non-keyed state of an operator subtask as a list of items. On restore at another parallelism,
 * 'split' lists are divided round-robin over the new subtasks; 'union' lists go whole to every subtask
 * (each picks what it needs, e.g. Kafka partitions it now owns).
 */
export interface OperatorListState {
  readonly name: string;
  readonly mode: 'split' | 'union';
  readonly items: readonly unknown[];
}

/**
 * Keyed entries whose state name starts with this belong to the operator (e.g. the window fast path's
 * buckets), not to the keyed backend: backends skip them on restore and refuse descriptors with such
 * names, and the operator writes all of its entries in every snapshot (they are never incremental).
 */
export const OPERATOR_STATE_PREFIX = '__operator/';

/**
 * A link of an incremental chain: this snapshot (of checkpoint `checkpointId`) holds only what changed
 * since the snapshot of checkpoint `base` of the same chain, whose file must be read with it. Without
 * `base` it is complete and can start a chain.
 */
export interface SnapshotChainLink {
  /** Identifies the backend instance that writes the chain (files of other chains never mix). */
  readonly id: string;
  readonly checkpointId: number;
  readonly base?: number;
}

/**
 * Where a snapshot goes. Every method copies (serializes) what it is given before it returns, so
 * callers may pass live values that change right afterwards.
 */
export interface SnapshotWriter {
  keyedEntry(keyGroup: number, entry: KeyedStateEntry): void;
  timer(keyGroup: number, timer: TimerEntry): void;
  operatorState(state: OperatorListState): void;
  /** Optional (file writers have it): places this snapshot in an incremental chain. */
  chain?(link: SnapshotChainLink): void;
  /**
   * Optional, incremental snapshots only: every backend entry of `key` written earlier in the chain is
   * gone; the entries of `key` that follow in this snapshot replace them.
   */
  resetKey?(keyGroup: number, key: unknown): void;
  /**
   * Optional: resolves once buffered bytes went to disk. Producers that write asynchronously await it
   * now and then, so a large snapshot does not pile up in memory.
   */
  drain?(): Promise<void>;
}

export interface SnapshotReader {
  /** Keyed entries of the key groups this subtask now owns, in key-group order. */
  keyedEntries(): Iterable<{ readonly keyGroup: number; readonly entry: KeyedStateEntry }>;
  timers(): Iterable<{ readonly keyGroup: number; readonly timer: TimerEntry }>;
  /** This subtask's share of a named operator list state (after redistribution); [] when absent. */
  operatorState(name: string): readonly unknown[];
}
