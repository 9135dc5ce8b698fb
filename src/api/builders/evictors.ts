import type { Evictor, EvictorSpec } from '../../plan/windows.ts';
import { invalidArgument, requirePositiveInteger } from '../ops/checks.ts';

export interface EvictorOptions {
  /** Evict after the window function ran instead of before (default false: before). */
  readonly after?: boolean;
}

/**
 * Keeps only the last `max` elements of a window.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(10)).evictor(CountEvictor.of(100))
 */
export const CountEvictor = Object.freeze({
  of<T>(max: number, options: EvictorOptions = {}): EvictorSpec<T> {
    return Object.freeze({
      kind: 'count',
      max: requirePositiveInteger(max, 'CountEvictor max'),
      ...(options.after === undefined ? {} : { after: options.after }),
    });
  },
});

/**
 * Keeps only elements whose timestamp is within `keep` ms of the newest element in the window.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(1)).evictor(TimeEvictor.of(Time.minutes(5)))
 */
export const TimeEvictor = Object.freeze({
  of<T>(keep: number, options: EvictorOptions = {}): EvictorSpec<T> {
    return Object.freeze({
      kind: 'time',
      keep: requirePositiveInteger(keep, 'TimeEvictor keep'),
      ...(options.after === undefined ? {} : { after: options.after }),
    });
  },
});

/**
 * An evictor of your own: it gets the window's buffered elements and returns those to keep.
 *
 * @example
 * keyed.window(...).evictor(customEvictor<Reading>({ evictBefore: (els) => els.filter((e) => e.value.ok) }))
 */
export function customEvictor<T>(evictor: Evictor<T>): EvictorSpec<T> {
  if (
    typeof evictor !== 'object' ||
    evictor === null ||
    (typeof evictor.evictBefore !== 'function' && typeof evictor.evictAfter !== 'function')
  ) {
    throw invalidArgument('a custom evictor needs an evictBefore() or evictAfter() method');
  }
  return Object.freeze({ kind: 'custom', evictor });
}
