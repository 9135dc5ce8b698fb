import type { Trigger, TriggerSpec } from '../../plan/windows.ts';
import { invalidArgument, requireMethods, requirePositiveInteger } from '../ops/checks.ts';

/**
 * Fires when the watermark passes the end of the window, and once more for each late element within
 * the allowed lateness. The default for event-time windows.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(EventTimeTrigger.create())
 */
export const EventTimeTrigger = Object.freeze({
  create(): TriggerSpec<unknown> {
    return Object.freeze({ kind: 'event-time' });
  },
});

/**
 * Fires when the job's clock passes the end of the window. The default for processing-time windows.
 *
 * @example
 * keyed.window(TumblingProcessingTimeWindows.of(1000)).trigger(ProcessingTimeTrigger.create())
 */
export const ProcessingTimeTrigger = Object.freeze({
  create(): TriggerSpec<unknown> {
    return Object.freeze({ kind: 'processing-time' });
  },
});

/**
 * Fires every `count` elements of a window (without purging; wrap it in PurgingTrigger to start over).
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(100))
 */
export const CountTrigger = Object.freeze({
  of(count: number): TriggerSpec<unknown> {
    return Object.freeze({ kind: 'count', count: requirePositiveInteger(count, 'CountTrigger count') });
  },
});

/**
 * Fires every `interval` ms of event time while the window is open (early results), and at its end.
 *
 * @example
 * keyed.window(TumblingEventTimeWindows.of(Time.hours(1))).trigger(ContinuousEventTimeTrigger.of(Time.minutes(1)))
 */
export const ContinuousEventTimeTrigger = Object.freeze({
  of(interval: number): TriggerSpec<unknown> {
    requirePositiveInteger(interval, 'ContinuousEventTimeTrigger interval');
    return Object.freeze({ kind: 'continuous', time: 'event', interval });
  },
});

/**
 * Fires every `interval` ms of processing time while the window is open, and at its end.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(ContinuousProcessingTimeTrigger.of(Time.seconds(10)))
 */
export const ContinuousProcessingTimeTrigger = Object.freeze({
  of(interval: number): TriggerSpec<unknown> {
    requirePositiveInteger(interval, 'ContinuousProcessingTimeTrigger interval');
    return Object.freeze({ kind: 'continuous', time: 'processing', interval });
  },
});

/**
 * Turns every FIRE of the inner trigger into FIRE_AND_PURGE: the window's contents are dropped after
 * each result.
 *
 * @example
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(10)))
 */
export const PurgingTrigger = Object.freeze({
  of<T>(inner: TriggerSpec<T>): TriggerSpec<T> {
    if (typeof inner !== 'object' || inner === null || typeof inner.kind !== 'string') {
      throw invalidArgument(
        'PurgingTrigger.of() needs a trigger, e.g. PurgingTrigger.of(CountTrigger.of(10))',
      );
    }
    return Object.freeze({ kind: 'purging', inner });
  },
});

/**
 * A trigger of your own (Flink's Trigger): decide per element and timer whether the window fires.
 *
 * @example
 * const everyTen: Trigger<Click> = {
 *   onElement: (_click, _ts, _window, ctx) => (ctx.currentWatermark % 10 === 0 ? 'fire' : 'continue'),
 *   onEventTime: () => 'continue',
 *   onProcessingTime: () => 'continue',
 *   clear: () => {},
 * };
 * keyed.window(GlobalWindows.create()).trigger(customTrigger(everyTen))
 */
export function customTrigger<T>(trigger: Trigger<T>): TriggerSpec<T> {
  requireMethods(trigger, 'a custom trigger', ['onElement', 'onEventTime', 'onProcessingTime', 'clear']);
  return Object.freeze({ kind: 'custom', trigger });
}
