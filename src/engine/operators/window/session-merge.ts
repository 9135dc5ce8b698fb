import type { TimeWindow } from '../../../plan/windows.ts';

export interface SessionMerge {
  /** The window the element ends up in (the new window, an existing one, or the merge of several). */
  readonly window: TimeWindow;
  /** Existing windows that disappear into `window` (their state must move there). */
  readonly absorbed: readonly TimeWindow[];
  /** The key's windows afterwards, sorted by start. */
  readonly windows: TimeWindow[];
}

/**
 * Adds a session window to a key's (disjoint, sorted) windows. Windows that overlap or touch the new
 * one ([0, 10) and [10, 20) touch) merge with it, as in Flink. One pass suffices: existing windows
 * never touch each other, so only those touching the new window can join.
 *
 * @example
 * addSessionWindow([{ start: 0, end: 10 }], { start: 5, end: 15 }).window; // { start: 0, end: 15 }
 */
export function addSessionWindow(existing: readonly TimeWindow[], added: TimeWindow): SessionMerge {
  let start = added.start;
  let end = added.end;
  const absorbed: TimeWindow[] = [];
  const kept: TimeWindow[] = [];
  for (const window of existing) {
    if (window.start <= added.end && window.end >= added.start) {
      absorbed.push(window);
      if (window.start < start) start = window.start;
      if (window.end > end) end = window.end;
    } else kept.push(window);
  }
  if (absorbed.length === 1 && absorbed[0].start === start && absorbed[0].end === end) {
    return { window: absorbed[0], absorbed: [], windows: [...existing] };
  }
  const window = absorbed.length === 0 ? added : { start, end };
  kept.push(window);
  kept.sort((a, b) => a.start - b.start);
  return { window, absorbed, windows: kept };
}
