/**
 * The canonical snapshot format, shared by every backend so a savepoint taken on one restores on the
 * other (and at another parallelism: keyed entries are grouped by key group, operator state is a list).
 *
 * One operator subtask's part of a checkpoint is written through a SnapshotWriter and read back with a
 * SnapshotReader. Values are anything the structured clone algorithm (node:v8 serialize) handles.
 */

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
  /** Last write (or access, with read-and-write TTL) in epoch ms, for state with TTL. */
  readonly touchedAt?: number;
}

/** Timers are keyed state too: they move with their key group. */
export interface TimerEntry {
  readonly domain: 'event' | 'processing';
  readonly key: unknown;
  readonly namespace: string;
  readonly time: number;
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

export interface SnapshotWriter {
  keyedEntry(keyGroup: number, entry: KeyedStateEntry): void;
  timer(keyGroup: number, timer: TimerEntry): void;
  operatorState(state: OperatorListState): void;
}

export interface SnapshotReader {
  /** Keyed entries of the key groups this subtask now owns, in key-group order. */
  keyedEntries(): Iterable<{ readonly keyGroup: number; readonly entry: KeyedStateEntry }>;
  timers(): Iterable<{ readonly keyGroup: number; readonly timer: TimerEntry }>;
  /** This subtask's share of a named operator list state (after redistribution); [] when absent. */
  operatorState(name: string): readonly unknown[];
}
