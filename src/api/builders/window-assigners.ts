import type { WindowAssignerSpec, WindowTime } from '../../plan/windows.ts';
import { invalidArgument, requireFunction, requirePositiveInteger } from '../ops/checks.ts';

/** A window assigner for elements of type T (only dynamic session gaps look at the element). */
export type WindowAssigner<T> = WindowAssignerSpec<T>;

function requireOffset(offset: number, bound: number, what: string, boundName: string): number {
  if (!Number.isSafeInteger(offset) || Math.abs(offset) >= bound) {
    throw invalidArgument(
      `${what} offset must be a whole number of ms with |offset| < ${boundName} (${bound}), got ${String(offset)}`,
      { offset, [boundName]: bound },
    );
  }
  return offset;
}

function tumbling(time: WindowTime, name: string) {
  return (size: number, offset = 0): WindowAssigner<unknown> => {
    requirePositiveInteger(size, `${name} size`);
    return Object.freeze({ kind: 'tumbling', time, size, offset: requireOffset(offset, size, name, 'size') });
  };
}

function sliding(time: WindowTime, name: string) {
  return (size: number, slide: number, offset = 0): WindowAssigner<unknown> => {
    requirePositiveInteger(size, `${name} size`);
    requirePositiveInteger(slide, `${name} slide`);
    return Object.freeze({
      kind: 'sliding',
      time,
      size,
      slide,
      offset: requireOffset(offset, slide, name, 'slide'),
    });
  };
}

function sessions(time: WindowTime, name: string) {
  return Object.freeze({
    /** A window closes after `gap` ms without elements for its key. */
    withGap(gap: number): WindowAssigner<unknown> {
      return Object.freeze({ kind: 'session', time, gap: requirePositiveInteger(gap, `${name} gap`) });
    },
    /** The gap is computed per element (it must return a whole number of ms above 0). */
    withDynamicGap<T>(gap: (value: T) => number): WindowAssigner<T> {
      requireFunction(gap, `${name} dynamic gap`);
      return Object.freeze({ kind: 'session', time, gap });
    },
  });
}

/**
 * Fixed-size, non-overlapping event-time windows; `offset` shifts their start (e.g. time zones).
 *
 * @example
 * keyed.window(TumblingEventTimeWindows.of(Time.minutes(1)))
 */
export const TumblingEventTimeWindows = Object.freeze({
  of: tumbling('event', 'TumblingEventTimeWindows'),
});

/**
 * Fixed-size, non-overlapping windows by the clock of the machine (the job's Clock).
 *
 * @example
 * keyed.window(TumblingProcessingTimeWindows.of(Time.seconds(10)))
 */
export const TumblingProcessingTimeWindows = Object.freeze({
  of: tumbling('processing', 'TumblingProcessingTimeWindows'),
});

/**
 * Windows of `size` ms starting every `slide` ms; an element belongs to size/slide windows.
 *
 * @example
 * keyed.window(SlidingEventTimeWindows.of(Time.minutes(10), Time.minutes(1)))
 */
export const SlidingEventTimeWindows = Object.freeze({
  of: sliding('event', 'SlidingEventTimeWindows'),
});

/**
 * Sliding windows by processing time.
 *
 * @example
 * keyed.window(SlidingProcessingTimeWindows.of(Time.seconds(30), Time.seconds(5)))
 */
export const SlidingProcessingTimeWindows = Object.freeze({
  of: sliding('processing', 'SlidingProcessingTimeWindows'),
});

/**
 * Per-key windows that stay open while elements keep arriving within `gap` ms (event time). An
 * aggregate function used with them needs `merge`.
 *
 * @example
 * keyed.window(EventTimeSessionWindows.withGap(Time.minutes(30)))
 * keyed.window(EventTimeSessionWindows.withDynamicGap<Click>((c) => (c.vip ? 60_000 : 10_000)))
 */
export const EventTimeSessionWindows = sessions('event', 'EventTimeSessionWindows');

/**
 * Session windows by processing time.
 *
 * @example
 * keyed.window(ProcessingTimeSessionWindows.withGap(Time.seconds(10)))
 */
export const ProcessingTimeSessionWindows = sessions('processing', 'ProcessingTimeSessionWindows');

/**
 * One window per key that never ends: it fires only through its trigger, so `.trigger(...)` is required.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(100)).reduce(sum)
 */
export const GlobalWindows = Object.freeze({
  create(): WindowAssigner<unknown> {
    return Object.freeze({ kind: 'global' });
  },
});

/** A short description for operator names and messages, e.g. `TumblingEventTimeWindows(60000)`. */
export function describeAssigner<T>(assigner: WindowAssignerSpec<T>): string {
  if (assigner.kind === 'global') return 'GlobalWindows';
  const time = assigner.time === 'event' ? 'EventTime' : 'ProcessingTime';
  switch (assigner.kind) {
    case 'tumbling':
      return `Tumbling${time}Windows(${assigner.size})`;
    case 'sliding':
      return `Sliding${time}Windows(${assigner.size}, ${assigner.slide})`;
    case 'session':
      return `${time}SessionWindows(${typeof assigner.gap === 'number' ? assigner.gap : 'dynamic gap'})`;
  }
}
