// The window functions and settings both layers of windows.test.ts run with.
import {
  type AggregateFunction,
  type Clock,
  EventTimeSessionWindows,
  type ProcessWindowFunction,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type WindowAssigner,
} from '../../src/index.ts';
import type { WindowRow } from '../support/duckdb-oracle.ts';
import type { Event, WindowShape } from './window-events.ts';

/** Count and sum of a window, the two numbers compared with DuckDB. */
export interface CountSum {
  readonly count: number;
  readonly sum: number;
}

export const countSum: AggregateFunction<Event, CountSum, CountSum> = {
  createAccumulator: () => ({ count: 0, sum: 0 }),
  add: (e, acc) => ({ count: acc.count + 1, sum: acc.sum + e.value }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ count: a.count + b.count, sum: a.sum + b.sum }),
};

export const toRow: ProcessWindowFunction<CountSum, WindowRow, string> = {
  process(key, ctx, results, out) {
    for (const { count, sum } of results) out.collect({ key, ...ctx.window, count, sum });
  },
};

/** Buffers the elements, so the window takes the generic operator instead of the aligned fast path. */
export const rowOfElements: ProcessWindowFunction<Event, WindowRow, string> = {
  process(key, ctx, events, out) {
    let count = 0;
    let sum = 0;
    for (const e of events) {
      count++;
      sum += e.value;
    }
    out.collect({ key, ...ctx.window, count, sum });
  },
};

export function assignerOf(shape: WindowShape): WindowAssigner<unknown> {
  if (shape.kind === 'tumbling') return TumblingEventTimeWindows.of(shape.size, shape.offset);
  if (shape.kind === 'sliding') return SlidingEventTimeWindows.of(shape.size, shape.slide, shape.offset);
  return EventTimeSessionWindows.withGap(shape.gap);
}

/**
 * A clock that moves 1 ms every time it is read. The API's smallest watermark interval is 1 ms, and a
 * source checks its watermark when the clock moved by the interval since its last check; it reads the
 * clock on every pass of its poll loop, so with this clock and batchSize 1 it emits max − bound − 1 after every element,
 * whatever the wall clock does. Event-time windows never look at processing time.
 */
export function tickingClock(): Clock {
  let now = 0;
  return { now: () => now++ };
}
