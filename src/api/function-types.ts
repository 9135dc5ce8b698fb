import type { Collector, ProcessContext, RuntimeContext, WindowContext } from '../plan/functions.ts';

/**
 * ProcessFunction as DataStream.process takes it. The members are the plan's ProcessFunction, written
 * as function-typed properties: TypeScript compares those parameters strictly (methods it compares
 * loosely), so a KeyedProcessFunction, whose context has a key, timers and state, does not fit. Any
 * `ProcessFunction<IN, OUT>` you write fits.
 */
export interface ProcessFunctionArg<IN, OUT> {
  open?: (ctx: RuntimeContext) => void | Promise<void>;
  processElement: (value: IN, ctx: ProcessContext, out: Collector<OUT>) => void;
  close?: () => void | Promise<void>;
}

/** CoProcessFunction as ConnectedStreams.process takes it (strict for the same reason as above). */
export interface CoProcessFunctionArg<IN1, IN2, OUT> {
  open?: (ctx: RuntimeContext) => void | Promise<void>;
  processElement1: (value: IN1, ctx: ProcessContext, out: Collector<OUT>) => void;
  processElement2: (value: IN2, ctx: ProcessContext, out: Collector<OUT>) => void;
  close?: () => void | Promise<void>;
}

/**
 * Flink's ProcessAllWindowFunction: a ProcessWindowFunction for windowAll, whose windows have no key.
 *
 * @example
 * const topPage: ProcessAllWindowFunction<PageViews, PageViews> = {
 *   process(_ctx, rows, out) {
 *     let best: PageViews | undefined;
 *     for (const row of rows) if (!best || row.views > best.views) best = row;
 *     if (best) out.collect(best);
 *   },
 * };
 */
export interface ProcessAllWindowFunction<IN, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  process(ctx: WindowContext, elements: Iterable<IN>, out: Collector<OUT>): void;
  clear?(ctx: WindowContext): void;
  close?(): void | Promise<void>;
}

/** What WindowedStream.count() emits: one row per key and window. */
export interface WindowCount<K> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/** What AllWindowedStream.count() emits: one row per window. */
export interface AllWindowCount {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/** The fields of T that hold numbers: what sum() can add up. */
export type NumericField<T> = {
  [P in keyof T]-?: T[P] extends number ? P : never;
}[keyof T] &
  string;
