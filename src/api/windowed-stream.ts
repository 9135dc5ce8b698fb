import type { ProcessWindowFunction, ReduceFunction } from '../plan/functions.ts';
import type { OutputTag } from '../plan/output-tag.ts';
import type { AggregateFunction } from '../plan/state.ts';
import type { EvictorSpec, TriggerSpec, WindowAssignerSpec } from '../plan/windows.ts';
import { DataStream } from './data-stream.ts';
import type { NumericField, WindowCount } from './function-types.ts';
import { countAggregate, sumReducer, windowCountRows } from './ops/aggregations.ts';
import type { StreamRef } from './ops/stream-ref.ts';
import { WindowBuilder } from './ops/window-builder.ts';

/**
 * Windows per key (Flink's WindowedStream). Configure with trigger/evictor/allowedLateness/
 * sideOutputLateData, then give the window its function; each function call adds one window operator.
 * Default trigger: event-time windows fire when the watermark passes their end, processing-time windows
 * when the clock does; GlobalWindows has none, and toPlan rejects it without `.trigger(...)`.
 *
 * @example
 * clicks
 *   .keyBy((c) => c.page)
 *   .window(TumblingEventTimeWindows.of(Time.minutes(1)))
 *   .allowedLateness(Time.seconds(30))
 *   .aggregate(countViews, toPageViews);
 */
export class WindowedStream<T, K> {
  readonly #builder: WindowBuilder;

  /** Made by KeyedStream.window. */
  constructor(ref: StreamRef, assigner: WindowAssignerSpec<T>) {
    this.#builder = new WindowBuilder(ref, assigner as WindowAssignerSpec<unknown>, true);
  }

  /** When the window fires (and purges). @example .trigger(PurgingTrigger.of(CountTrigger.of(100))) */
  trigger(trigger: TriggerSpec<T>): this {
    this.#builder.setTrigger(trigger as TriggerSpec<unknown>);
    return this;
  }

  /** Drops elements from the window before or after its function runs. @example .evictor(CountEvictor.of(10)) */
  evictor(evictor: EvictorSpec<T>): this {
    this.#builder.setEvictor(evictor as EvictorSpec<unknown>);
    return this;
  }

  /**
   * Keeps event-time windows for `ms` after the watermark passed their end; a late element re-fires the
   * window. No effect on processing-time windows. Default 0.
   *
   * @example
   * .allowedLateness(Time.minutes(1))
   */
  allowedLateness(ms: number): this {
    this.#builder.setAllowedLateness(ms);
    return this;
  }

  /**
   * Sends elements too late for every window they belong to to `tag` instead of dropping them; read them
   * with getSideOutput(tag) on the window's result.
   *
   * @example
   * const late = outputTag<Click>('late'); const counts = windowed.sideOutputLateData(late).count();
   * counts.getSideOutput(late).print('late');
   */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.#builder.setLateOutput(tag);
    return this;
  }

  /**
   * Folds each window's elements into one (incrementally); with `process`, that one value goes to a
   * ProcessWindowFunction together with the key and window.
   *
   * @example
   * .reduce((a, b) => (a.value > b.value ? a : b))
   * .reduce((a, b) => (a.value > b.value ? a : b), withWindowBounds)
   */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, process: ProcessWindowFunction<T, R, K>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, process?: ProcessWindowFunction<T, R, K>): DataStream<T | R> {
    const functions = process === undefined ? { reduce: fn } : { reduce: fn, process };
    return new DataStream<T | R>(this.#builder.apply(functions));
  }

  /**
   * Aggregates each window incrementally with an AggregateFunction (accumulator in state); with
   * `process`, its result goes to a ProcessWindowFunction with the key and window.
   *
   * @example
   * .aggregate(averageOf)                    // AggregateFunction<Reading, Acc, number> → DataStream<number>
   * .aggregate(averageOf, toSensorAverage)   // → DataStream<SensorAverage>
   */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process: ProcessWindowFunction<V, R, K>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessWindowFunction<V, R, K>,
  ): DataStream<V | R> {
    const functions = process === undefined ? { aggregate: fn } : { aggregate: fn, process };
    return new DataStream<V | R>(this.#builder.apply(functions));
  }

  /**
   * A ProcessWindowFunction over all elements of the window (buffered in state until it fires).
   *
   * @example
   * .process<Summary>({ process(key, ctx, clicks, out) { out.collect({ key, n: [...clicks].length, end: ctx.window.end }); } })
   */
  process<R>(fn: ProcessWindowFunction<T, R, K>): DataStream<R> {
    return new DataStream<R>(this.#builder.apply({ process: fn }));
  }

  /**
   * Counts each key's elements per window.
   *
   * @example
   * clicks.keyBy((c) => c.page).window(TumblingEventTimeWindows.of(60_000)).count()  // { key, start, end, count }
   */
  count(): DataStream<WindowCount<K>> {
    return this.aggregate(countAggregate, windowCountRows<K>());
  }

  /**
   * Sums a numeric field per key and window; the other fields come from the window's first element.
   *
   * @example
   * wordCounts.keyBy((wc) => wc.word).window(TumblingProcessingTimeWindows.of(10_000)).sum('count')
   */
  sum(field: NumericField<T>): DataStream<T> {
    return this.reduce(sumReducer<T>(field));
  }
}
