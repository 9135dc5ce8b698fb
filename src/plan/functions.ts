import type { OutputTag } from './output-tag.ts';
import type { KeyedStateStore } from './state.ts';
import type { TimeWindow } from './windows.ts';

export type MapFunction<IN, OUT> = (value: IN) => OUT;
export type FilterFunction<IN> = (value: IN) => boolean;
export type FlatMapFunction<IN, OUT> = (value: IN, out: Collector<OUT>) => void;
export type KeySelector<IN, K> = (value: IN) => K;
export type ReduceFunction<T> = (a: T, b: T) => T;

/** Emits records; a record emitted while processing an element inherits that element's timestamp. */
export interface Collector<T> {
  collect(value: T): void;
}

/** What every rich function may see at open(). */
export interface RuntimeContext {
  readonly jobName: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

export interface KeyedRuntimeContext extends RuntimeContext {
  readonly state: KeyedStateStore;
}

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

export interface ProcessContext {
  /** The element's event timestamp, or NaN when it has none. */
  readonly timestamp: number;
  output<X>(tag: OutputTag<X>, value: X): void;
  currentWatermark(): number;
  currentProcessingTime(): number;
}

export interface KeyedProcessContext<K> extends ProcessContext {
  readonly key: K;
  readonly timerService: TimerService;
}

export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  readonly timeDomain: 'event' | 'processing';
}

/** Flink's ProcessFunction: one element at a time, with side outputs. */
export interface ProcessFunction<IN, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

/** Flink's KeyedProcessFunction: keyed state and event/processing-time timers. */
export interface KeyedProcessFunction<K, IN, OUT> {
  open?(ctx: KeyedRuntimeContext): void | Promise<void>;
  processElement(value: IN, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

/** Two inputs of different types; on connected keyed streams both share keyed state and timers. */
export interface CoProcessFunction<IN1, IN2, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  processElement1(value: IN1, ctx: ProcessContext, out: Collector<OUT>): void;
  processElement2(value: IN2, ctx: ProcessContext, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

export interface KeyedCoProcessFunction<K, IN1, IN2, OUT> {
  open?(ctx: KeyedRuntimeContext): void | Promise<void>;
  processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

export interface WindowContext {
  readonly window: TimeWindow;
  currentWatermark(): number;
  currentProcessingTime(): number;
  /** State of this key and this window; cleared when the window is purged. */
  readonly windowState: KeyedStateStore;
  /** State of this key across windows. */
  readonly globalState: KeyedStateStore;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Sees all elements of a window (or, after reduce/aggregate, the single pre-aggregated value).
 * Results carry the window's maxTimestamp (end - 1) as their timestamp.
 */
export interface ProcessWindowFunction<IN, OUT, K> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  process(key: K, ctx: WindowContext, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when a window is purged, to drop per-window state. */
  clear?(ctx: WindowContext): void;
  close?(): void | Promise<void>;
}
