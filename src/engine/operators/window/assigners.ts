import { MAX_TIMESTAMP } from '../../../common/time.ts';
import type { TimeWindow, WindowAssignerSpec } from '../../../plan/windows.ts';

/** The one window of global windowing. */
export const GLOBAL_WINDOW: TimeWindow = Object.freeze({
  start: Number.NEGATIVE_INFINITY,
  end: Number.POSITIVE_INFINITY,
});

/** The last millisecond of a window: its results' timestamp and when its event-time trigger fires. */
export function maxTimestampOf(window: TimeWindow): number {
  return window.end === Number.POSITIVE_INFINITY ? MAX_TIMESTAMP : window.end - 1;
}

/** `a mod b` with the sign of b, so negative timestamps land in the window that contains them. */
export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r < 0 ? r + b : r;
}

/**
 * Start of the aligned window (of length `every`, shifted by `offset`) containing `time`:
 * time − ((time − offset) mod every), e.g. 10 s windows hold [0, 10000), [10000, 20000)...
 */
export function alignedStart(time: number, offset: number, every: number): number {
  return time - floorMod(time - offset, every);
}

export function isEventTimeAssigner(spec: WindowAssignerSpec<unknown>): boolean {
  return spec.kind !== 'global' && spec.time === 'event';
}

/**
 * The windows an element belongs to. `time` is the element's timestamp for event-time assigners and
 * the processing time for processing-time ones. Sliding windows come newest first (as in Flink).
 */
export function assignWindows(spec: WindowAssignerSpec<unknown>, value: unknown, time: number): TimeWindow[] {
  switch (spec.kind) {
    case 'tumbling': {
      const start = alignedStart(time, spec.offset, spec.size);
      return [{ start, end: start + spec.size }];
    }
    case 'sliding': {
      const windows: TimeWindow[] = [];
      for (
        let start = alignedStart(time, spec.offset, spec.slide);
        start > time - spec.size;
        start -= spec.slide
      ) {
        windows.push({ start, end: start + spec.size });
      }
      return windows;
    }
    case 'session': {
      const gap = typeof spec.gap === 'function' ? spec.gap(value) : spec.gap;
      if (!(gap > 0)) throw new RangeError(`the session gap must be a positive number of ms, got ${gap}`);
      return [{ start: time, end: time + gap }];
    }
    case 'global':
      return [GLOBAL_WINDOW];
  }
}

/** A window's state namespace, e.g. "0:10000"; windowOfNamespace turns it back. */
export function namespaceOf(window: TimeWindow): string {
  return `${window.start}:${window.end}`;
}

export function windowOfNamespace(namespace: string): TimeWindow {
  const colon = namespace.indexOf(':', 1);
  const start = Number(namespace.slice(0, colon));
  const end = Number(namespace.slice(colon + 1));
  return end === Number.POSITIVE_INFINITY && start === Number.NEGATIVE_INFINITY
    ? GLOBAL_WINDOW
    : { start, end };
}
