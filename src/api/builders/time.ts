import { invalidArgument } from '../ops/checks.ts';

function duration(unit: string, factor: number): (amount: number) => number {
  return (amount) => {
    if (!Number.isFinite(amount)) {
      throw invalidArgument(`Time.${unit}() needs a finite number, got ${String(amount)}`);
    }
    return Math.round(amount * factor);
  };
}

/**
 * Durations as milliseconds, for window sizes, gaps, lateness and watermark bounds. Each returns a plain
 * number, so `Time.seconds(5) === 5000`.
 *
 * @example
 * keyed.window(TumblingEventTimeWindows.of(Time.minutes(1))).allowedLateness(Time.seconds(30));
 */
export const Time = Object.freeze({
  milliseconds: duration('milliseconds', 1),
  seconds: duration('seconds', 1_000),
  minutes: duration('minutes', 60_000),
  hours: duration('hours', 3_600_000),
  days: duration('days', 86_400_000),
});
