import type { TimestampAssigner, WatermarkGenerator, WatermarkStrategySpec } from '../../plan/watermarks.ts';
import {
  invalidArgument,
  requireFunction,
  requireNonNegativeInteger,
  requirePositiveInteger,
} from '../ops/checks.ts';

/**
 * A watermark strategy under construction: a WatermarkStrategySpec plus the two refinements Flink
 * offers. Every method returns a new strategy; the one it was called on stays as it was, so a strategy
 * can be shared between sources.
 */
export interface WatermarkStrategy<T> extends WatermarkStrategySpec<T> {
  /**
   * Takes event timestamps from the element instead of the record (Kafka) timestamp.
   *
   * @example
   * WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((click) => click.ts)
   */
  withTimestampAssigner<U extends T = T>(assigner: TimestampAssigner<U>): WatermarkStrategy<U>;
  /**
   * Lets the watermark advance past a split (Kafka partition) that had no records for `ms`.
   *
   * @example
   * WatermarkStrategy.forBoundedOutOfOrderness<Click>(Time.seconds(5)).withIdleness(Time.minutes(1))
   */
  withIdleness(ms: number): WatermarkStrategy<T>;
}

function strategy<T>(spec: WatermarkStrategySpec<T>): WatermarkStrategy<T> {
  return Object.freeze({
    ...spec,
    withTimestampAssigner<U extends T>(assigner: TimestampAssigner<U>): WatermarkStrategy<U> {
      requireFunction(assigner, 'the timestamp assigner');
      // The spec's other fields only ever receive values the assigner accepts, so narrowing T to U is safe.
      return strategy<U>({
        ...(toWatermarkSpec(spec) as WatermarkStrategySpec<U>),
        timestampAssigner: assigner,
      });
    },
    withIdleness(ms: number): WatermarkStrategy<T> {
      return strategy<T>({ ...toWatermarkSpec(spec), idleTimeout: requirePositiveInteger(ms, 'idleness') });
    },
  });
}

const KINDS: readonly string[] = ['bounded-out-of-orderness', 'monotonous', 'custom', 'none'];

/**
 * The data part of a strategy (no builder methods, no undefined fields): what a plan node stores.
 */
export function toWatermarkSpec<T>(spec: WatermarkStrategySpec<T>): WatermarkStrategySpec<T> {
  if (typeof spec !== 'object' || spec === null || !KINDS.includes(spec.kind)) {
    throw invalidArgument(
      'expected a watermark strategy, e.g. WatermarkStrategy.forBoundedOutOfOrderness(Time.seconds(5)) or WatermarkStrategy.noWatermarks()',
    );
  }
  const data: { -readonly [P in keyof WatermarkStrategySpec<T>]: WatermarkStrategySpec<T>[P] } = {
    kind: spec.kind,
  };
  if (spec.maxOutOfOrderness !== undefined) data.maxOutOfOrderness = spec.maxOutOfOrderness;
  if (spec.timestampAssigner !== undefined) data.timestampAssigner = spec.timestampAssigner;
  if (spec.idleTimeout !== undefined) data.idleTimeout = spec.idleTimeout;
  if (spec.createGenerator !== undefined) data.createGenerator = spec.createGenerator;
  return Object.freeze(data);
}

/**
 * Builders of watermark strategies, as in Flink. Without `withTimestampAssigner` the source's record
 * timestamp (Kafka's) is the event time.
 *
 * @example
 * env.fromSource(
 *   kafkaSource<Click>({ topics: ['clicks'], format: 'json' }),
 *   WatermarkStrategy.forBoundedOutOfOrderness<Click>(Time.seconds(5)).withTimestampAssigner((c) => c.ts),
 *   'clicks',
 * );
 */
export const WatermarkStrategy = Object.freeze({
  /** Watermark = highest timestamp seen - `ms` - 1: elements up to `ms` late are still on time. */
  forBoundedOutOfOrderness<T = unknown>(ms: number): WatermarkStrategy<T> {
    return strategy<T>({
      kind: 'bounded-out-of-orderness',
      maxOutOfOrderness: requireNonNegativeInteger(ms, 'maxOutOfOrderness'),
    });
  },
  /** For sources whose timestamps never go down (per split): watermark = highest timestamp - 1. */
  forMonotonousTimestamps<T = unknown>(): WatermarkStrategy<T> {
    return strategy<T>({ kind: 'monotonous' });
  },
  /** Your own generator; the engine makes one per source split with `create`. */
  forGenerator<T = unknown>(create: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    requireFunction(create, 'the watermark generator factory');
    return strategy<T>({ kind: 'custom', createGenerator: create });
  },
  /** No watermarks: event-time windows and timers do not fire until a bounded input ends. */
  noWatermarks<T = unknown>(): WatermarkStrategy<T> {
    return strategy<T>({ kind: 'none' });
  },
});
