import type { KeyedStateStore } from './state.ts';

/** A time window [start, end); maxTimestamp = end - 1. The global window has start -Infinity. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export type WindowTime = 'event' | 'processing';

export type WindowAssignerSpec<T> =
  | { readonly kind: 'tumbling'; readonly time: WindowTime; readonly size: number; readonly offset: number }
  | {
      readonly kind: 'sliding';
      readonly time: WindowTime;
      readonly size: number;
      readonly slide: number;
      readonly offset: number;
    }
  | {
      readonly kind: 'session';
      readonly time: WindowTime;
      /** Static gap, or a gap computed per element (dynamic gap). */
      readonly gap: number | ((value: T) => number);
    }
  | { readonly kind: 'global' };

export type TriggerResult = 'continue' | 'fire' | 'purge' | 'fire-and-purge';

/** What a trigger can do besides answering: timers and per-window state. */
export interface TriggerContext {
  readonly currentWatermark: number;
  currentProcessingTime(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /** State scoped to the current key and window. */
  readonly state: KeyedStateStore;
}

/** A user-defined trigger (Flink's Trigger). */
export interface Trigger<T> {
  onElement(value: T, timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  clear(window: TimeWindow, ctx: TriggerContext): void;
  /** Session windows merge; a trigger used with them must say how its state merges. */
  onMerge?(window: TimeWindow, ctx: TriggerContext): void;
}

export type TriggerSpec<T> =
  /** Fires when the watermark passes the window's end (and again per late element within lateness). */
  | { readonly kind: 'event-time' }
  | { readonly kind: 'processing-time' }
  /** Fires every `count` elements per window. */
  | { readonly kind: 'count'; readonly count: number }
  /** Fires every `interval` ms of event (or processing) time while the window is open. */
  | { readonly kind: 'continuous'; readonly time: WindowTime; readonly interval: number }
  /** Turns the inner trigger's fire into fire-and-purge. */
  | { readonly kind: 'purging'; readonly inner: TriggerSpec<T> }
  | { readonly kind: 'custom'; readonly trigger: Trigger<T> };

export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number;
}

/** Removes elements from a window's buffer before and/or after the window function runs. */
export interface Evictor<T> {
  evictBefore?(elements: TimestampedValue<T>[], window: TimeWindow): TimestampedValue<T>[];
  evictAfter?(elements: TimestampedValue<T>[], window: TimeWindow): TimestampedValue<T>[];
}

export type EvictorSpec<T> =
  /** Keeps the last `max` elements. */
  | { readonly kind: 'count'; readonly max: number; readonly after?: boolean }
  /** Keeps elements within `keep` ms of the newest one. */
  | { readonly kind: 'time'; readonly keep: number; readonly after?: boolean }
  | { readonly kind: 'custom'; readonly evictor: Evictor<T> };
