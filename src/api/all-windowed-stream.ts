import type { ReduceFunction } from '../plan/functions.ts';
import type { OutputTag } from '../plan/output-tag.ts';
import type { AggregateFunction } from '../plan/state.ts';
import type { EvictorSpec, TriggerSpec, WindowAssignerSpec } from '../plan/windows.ts';
import { DataStream } from './data-stream.ts';
import type { AllWindowCount, NumericField, ProcessAllWindowFunction } from './function-types.ts';
import { allWindowCountRows, countAggregate, ignoringKey, sumReducer } from './ops/aggregations.ts';
import type { StreamRef } from './ops/stream-ref.ts';
import { WindowBuilder } from './ops/window-builder.ts';

/**
 * Windows over a whole, non-keyed stream (Flink's AllWindowedStream, from windowAll). The window
 * operator runs as one subtask. Same defaults and methods as WindowedStream, with functions that get
 * no key.
 *
 * @example
 * clicks.windowAll(TumblingEventTimeWindows.of(Time.minutes(1))).count().print();
 */
export class AllWindowedStream<T> {
  readonly #builder: WindowBuilder;

  /** Made by DataStream.windowAll. */
  constructor(ref: StreamRef, assigner: WindowAssignerSpec<T>) {
    this.#builder = new WindowBuilder(ref, assigner as WindowAssignerSpec<unknown>, false);
  }

  /** @example .trigger(CountTrigger.of(1000)) */
  trigger(trigger: TriggerSpec<T>): this {
    this.#builder.setTrigger(trigger as TriggerSpec<unknown>);
    return this;
  }

  /** @example .evictor(TimeEvictor.of(Time.seconds(10))) */
  evictor(evictor: EvictorSpec<T>): this {
    this.#builder.setEvictor(evictor as EvictorSpec<unknown>);
    return this;
  }

  /** @example .allowedLateness(Time.seconds(30)) */
  allowedLateness(ms: number): this {
    this.#builder.setAllowedLateness(ms);
    return this;
  }

  /** @example .sideOutputLateData(outputTag<Click>('late')) */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.#builder.setLateOutput(tag);
    return this;
  }

  /** @example .reduce((a, b) => (a.score > b.score ? a : b)) */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, process: ProcessAllWindowFunction<T, R>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, process?: ProcessAllWindowFunction<T, R>): DataStream<T | R> {
    const functions = process === undefined ? { reduce: fn } : { reduce: fn, process: ignoringKey(process) };
    return new DataStream<T | R>(this.#builder.apply(functions));
  }

  /** @example .aggregate(averageOf) */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process: ProcessAllWindowFunction<V, R>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessAllWindowFunction<V, R>,
  ): DataStream<V | R> {
    const functions =
      process === undefined ? { aggregate: fn } : { aggregate: fn, process: ignoringKey(process) };
    return new DataStream<V | R>(this.#builder.apply(functions));
  }

  /** @example .process<Top>({ process(ctx, clicks, out) { out.collect(topOf(clicks, ctx.window)); } }) */
  process<R>(fn: ProcessAllWindowFunction<T, R>): DataStream<R> {
    return new DataStream<R>(this.#builder.apply({ process: ignoringKey(fn) }));
  }

  /** @example clicks.windowAll(TumblingEventTimeWindows.of(60_000)).count()  // { start, end, count } */
  count(): DataStream<AllWindowCount> {
    return this.aggregate(countAggregate, allWindowCountRows);
  }

  /** @example orders.windowAll(TumblingEventTimeWindows.of(60_000)).sum('amount') */
  sum(field: NumericField<T>): DataStream<T> {
    return this.reduce(sumReducer<T>(field));
  }
}
