import type { ReducingStateDescriptor } from '../../../plan/state.ts';
import type {
  TimeWindow,
  Trigger,
  TriggerContext,
  TriggerResult,
  TriggerSpec,
} from '../../../plan/windows.ts';
import { floorMod, maxTimestampOf } from './assigners.ts';

/** Fires when the watermark passes the window's last millisecond; a late-but-allowed element fires at once. */
export const eventTimeTrigger: Trigger<unknown> = {
  onElement(_value, _timestamp, window, ctx) {
    const max = maxTimestampOf(window);
    if (max <= ctx.currentWatermark) return 'fire';
    ctx.registerEventTimeTimer(max);
    return 'continue';
  },
  onEventTime: (time, window) => (time === maxTimestampOf(window) ? 'fire' : 'continue'),
  onProcessingTime: () => 'continue',
  clear: (window, ctx) => ctx.deleteEventTimeTimer(maxTimestampOf(window)),
  onMerge(window, ctx) {
    const max = maxTimestampOf(window);
    if (max > ctx.currentWatermark) ctx.registerEventTimeTimer(max);
  },
};

/** Fires when the processing-time clock reaches the window's last millisecond. */
export const processingTimeTrigger: Trigger<unknown> = {
  onElement(_value, _timestamp, window, ctx) {
    ctx.registerProcessingTimeTimer(maxTimestampOf(window));
    return 'continue';
  },
  onEventTime: () => 'continue',
  onProcessingTime: (time, window) => (time === maxTimestampOf(window) ? 'fire' : 'continue'),
  clear: (window, ctx) => ctx.deleteProcessingTimeTimer(maxTimestampOf(window)),
  onMerge(window, ctx) {
    const max = maxTimestampOf(window);
    if (max > ctx.currentProcessingTime()) ctx.registerProcessingTimeTimer(max);
  },
};

/** Never fires: global windows without a trigger of their own (the API requires one; the harness defaults to it). */
export const neverTrigger: Trigger<unknown> = {
  onElement: () => 'continue',
  onEventTime: () => 'continue',
  onProcessingTime: () => 'continue',
  clear: () => {},
  onMerge: () => {},
};

const COUNT: ReducingStateDescriptor<number> = {
  kind: 'reducing',
  name: '__trigger-count',
  reduce: (a, b) => a + b,
};

/** Fires every `count` elements of a window (the count merges when session windows merge). */
export function countTrigger(count: number): Trigger<unknown> {
  return {
    onElement(_value, _timestamp, _window, ctx) {
      const seen = ctx.state.getReducingState(COUNT);
      seen.add(1);
      if ((seen.get() ?? 0) < count) return 'continue';
      seen.clear();
      return 'fire';
    },
    onEventTime: () => 'continue',
    onProcessingTime: () => 'continue',
    clear: (_window, ctx) => ctx.state.getReducingState(COUNT).clear(),
    onMerge: () => {},
  };
}

const NEXT_FIRE: ReducingStateDescriptor<number> = {
  kind: 'reducing',
  name: '__trigger-next-fire',
  reduce: (a, b) => Math.min(a, b),
};

/**
 * Fires every `interval` ms (aligned to multiples of it) while the window is open, and at its end.
 * In event time the first fire follows the first element's timestamp; in processing time, the clock.
 */
export function continuousTrigger(time: 'event' | 'processing', interval: number): Trigger<unknown> {
  const event = time === 'event';
  const register = (ctx: TriggerContext, at: number) =>
    event ? ctx.registerEventTimeTimer(at) : ctx.registerProcessingTimeTimer(at);
  const scheduleAfter = (from: number, window: TimeWindow, ctx: TriggerContext) => {
    const next = Math.min(from + interval, maxTimestampOf(window));
    ctx.state.getReducingState(NEXT_FIRE).add(next);
    register(ctx, next);
  };
  const onTime = (at: number, window: TimeWindow, ctx: TriggerContext): TriggerResult => {
    if (event && at === maxTimestampOf(window)) return 'fire';
    const next = ctx.state.getReducingState(NEXT_FIRE);
    if (next.get() !== at) return 'continue';
    next.clear();
    scheduleAfter(at, window, ctx);
    return 'fire';
  };
  return {
    onElement(_value, timestamp, window, ctx) {
      if (event) {
        const max = maxTimestampOf(window);
        if (max <= ctx.currentWatermark) return 'fire';
        ctx.registerEventTimeTimer(max);
      }
      const now = event ? timestamp : ctx.currentProcessingTime();
      if (Number.isFinite(now) && ctx.state.getReducingState(NEXT_FIRE).get() === undefined) {
        scheduleAfter(now - floorMod(now, interval), window, ctx);
      }
      return 'continue';
    },
    onEventTime: (at, window, ctx) => (event ? onTime(at, window, ctx) : 'continue'),
    onProcessingTime: (at, window, ctx) => (event ? 'continue' : onTime(at, window, ctx)),
    clear(window, ctx) {
      const next = ctx.state.getReducingState(NEXT_FIRE);
      const at = next.get();
      if (at !== undefined) {
        if (event) ctx.deleteEventTimeTimer(at);
        else ctx.deleteProcessingTimeTimer(at);
      }
      next.clear();
      if (event) ctx.deleteEventTimeTimer(maxTimestampOf(window));
    },
    onMerge(window, ctx) {
      const at = ctx.state.getReducingState(NEXT_FIRE).get();
      if (at !== undefined) register(ctx, at);
      if (event && maxTimestampOf(window) > ctx.currentWatermark)
        ctx.registerEventTimeTimer(maxTimestampOf(window));
    },
  };
}

/** Turns every 'fire' of the inner trigger into 'fire-and-purge'. */
export function purgingTrigger(inner: Trigger<unknown>): Trigger<unknown> {
  const purge = (result: TriggerResult): TriggerResult => (result === 'fire' ? 'fire-and-purge' : result);
  return {
    onElement: (value, timestamp, window, ctx) => purge(inner.onElement(value, timestamp, window, ctx)),
    onEventTime: (time, window, ctx) => purge(inner.onEventTime(time, window, ctx)),
    onProcessingTime: (time, window, ctx) => purge(inner.onProcessingTime(time, window, ctx)),
    clear: (window, ctx) => inner.clear(window, ctx),
    onMerge: inner.onMerge === undefined ? undefined : (window, ctx) => inner.onMerge?.(window, ctx),
  };
}

/**
 * The trigger a window node runs. On a global window, whose last millisecond is MAX_TIMESTAMP, the
 * event-time trigger fires once, at the final watermark of a bounded input (as in Flink).
 */
export function createTrigger(spec: TriggerSpec<unknown>): Trigger<unknown> {
  switch (spec.kind) {
    case 'event-time':
      return eventTimeTrigger;
    case 'processing-time':
      return processingTimeTrigger;
    case 'count':
      return countTrigger(spec.count);
    case 'continuous':
      return continuousTrigger(spec.time, spec.interval);
    case 'purging':
      return purgingTrigger(createTrigger(spec.inner));
    case 'custom':
      return spec.trigger;
  }
}
