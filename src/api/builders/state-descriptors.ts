import type {
  AggregateFunction,
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../plan/state.ts';
import {
  invalidArgument,
  requireFunction,
  requireMethods,
  requireName,
  requirePositiveInteger,
} from '../ops/checks.ts';

export interface StateOptions {
  /** Entries not written (or touched) for this long read as absent; build it with `ttl(ms)`. */
  readonly ttl?: StateTtlConfig;
}

export interface ValueStateOptions<T> extends StateOptions {
  /** What value() returns for a key that has no value yet. */
  readonly defaultValue?: T;
}

export interface TtlOptions {
  readonly updateOn?: StateTtlConfig['updateOn'];
  readonly visibility?: StateTtlConfig['visibility'];
}

/**
 * A time-to-live for keyed state.
 *
 * @example
 * valueState<Session>('session', { ttl: ttl(Time.hours(1), { updateOn: 'read-and-write' }) })
 */
export function ttl(ms: number, options: TtlOptions = {}): StateTtlConfig {
  const config: { -readonly [P in keyof StateTtlConfig]: StateTtlConfig[P] } = {
    ttl: requirePositiveInteger(ms, 'state ttl'),
  };
  if (options.updateOn !== undefined) {
    if (options.updateOn !== 'create-and-write' && options.updateOn !== 'read-and-write') {
      throw invalidArgument(
        `ttl updateOn must be 'create-and-write' or 'read-and-write', got ${JSON.stringify(options.updateOn)}`,
      );
    }
    config.updateOn = options.updateOn;
  }
  if (options.visibility !== undefined) {
    if (options.visibility !== 'never' && options.visibility !== 'return-expired-if-not-cleaned-up') {
      throw invalidArgument(
        `ttl visibility must be 'never' or 'return-expired-if-not-cleaned-up', got ${JSON.stringify(options.visibility)}`,
      );
    }
    config.visibility = options.visibility;
  }
  return Object.freeze(config);
}

function base(name: string, options: StateOptions): { name: string; ttl?: StateTtlConfig } {
  requireName(name, 'a state name');
  if (options.ttl !== undefined && !Number.isSafeInteger(options.ttl.ttl)) {
    throw invalidArgument(
      `state "${name}" has a ttl that is not a whole number of ms; build it with ttl(ms)`,
    );
  }
  return options.ttl === undefined ? { name } : { name, ttl: options.ttl };
}

/**
 * One value per key.
 *
 * @example
 * open(ctx) { count = ctx.state.getState(valueState<number>('count', { defaultValue: 0 })); }
 */
export function valueState<T>(name: string, options: ValueStateOptions<T> = {}): ValueStateDescriptor<T> {
  const descriptor = { kind: 'value' as const, ...base(name, options) };
  return Object.freeze(
    'defaultValue' in options ? { ...descriptor, defaultValue: options.defaultValue } : descriptor,
  );
}

/**
 * A list per key.
 *
 * @example
 * open(ctx) { seen = ctx.state.getListState(listState<Click>('recent-clicks')); }
 */
export function listState<T>(name: string, options: StateOptions = {}): ListStateDescriptor<T> {
  return Object.freeze({ kind: 'list', ...base(name, options) });
}

/**
 * A map per key.
 *
 * @example
 * open(ctx) { perPage = ctx.state.getMapState(mapState<string, number>('views-per-page')); }
 */
export function mapState<K, V>(name: string, options: StateOptions = {}): MapStateDescriptor<K, V> {
  return Object.freeze({ kind: 'map', ...base(name, options) });
}

/**
 * A value per key that `add` folds new values into with `reduce`.
 *
 * @example
 * open(ctx) { max = ctx.state.getReducingState(reducingState<number>('max', Math.max)); }
 */
export function reducingState<T>(
  name: string,
  reduce: (a: T, b: T) => T,
  options: StateOptions = {},
): ReducingStateDescriptor<T> {
  requireFunction(reduce, `the reduce function of state "${name}"`);
  return Object.freeze({ kind: 'reducing', ...base(name, options), reduce });
}

/**
 * An accumulator per key that `add` feeds and `get` turns into a result.
 *
 * @example
 * open(ctx) { avg = ctx.state.getAggregatingState(aggregatingState('avg', averageOf)); }
 */
export function aggregatingState<IN, ACC, OUT>(
  name: string,
  aggregate: AggregateFunction<IN, ACC, OUT>,
  options: StateOptions = {},
): AggregatingStateDescriptor<IN, ACC, OUT> {
  requireMethods(aggregate, `the aggregate function of state "${name}"`, [
    'createAccumulator',
    'add',
    'getResult',
  ]);
  return Object.freeze({ kind: 'aggregating', ...base(name, options), aggregate });
}
