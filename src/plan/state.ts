/**
 * Keyed state as user functions see it. A handle is scoped to the key of the element (or timer) being
 * processed; the backend switches the current key, so a handle obtained in open() is used everywhere.
 */

/** Time-to-live: an entry not written (or, with 'read-and-write', not touched) for `ttl` ms reads as absent. */
export interface StateTtlConfig {
  readonly ttl: number;
  readonly updateOn?: 'create-and-write' | 'read-and-write';
  /** Whether an expired value that was not yet cleaned up may still be returned. Default 'never'. */
  readonly visibility?: 'never' | 'return-expired-if-not-cleaned-up';
}

interface DescriptorBase {
  /** Unique per operator; a snapshot matches state by this name. */
  readonly name: string;
  readonly ttl?: StateTtlConfig;
}

export interface ValueStateDescriptor<T> extends DescriptorBase {
  readonly kind: 'value';
  readonly defaultValue?: T;
}
export interface ListStateDescriptor<T> extends DescriptorBase {
  readonly kind: 'list';
  readonly __element?: T;
}
export interface MapStateDescriptor<K, V> extends DescriptorBase {
  readonly kind: 'map';
  readonly __entry?: [K, V];
}
export interface ReducingStateDescriptor<T> extends DescriptorBase {
  readonly kind: 'reducing';
  readonly reduce: (a: T, b: T) => T;
}
export interface AggregatingStateDescriptor<IN, ACC, OUT> extends DescriptorBase {
  readonly kind: 'aggregating';
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

/** Incremental aggregation: the accumulator is the state, results are derived from it. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Needed by session windows, whose windows merge. */
  merge?(a: ACC, b: ACC): ACC;
}

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}
export interface ListState<T> {
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  has(key: K): boolean;
  delete(key: K): void;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/** Where user functions obtain keyed state (only on keyed streams, so the type system offers it there only). */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
}
