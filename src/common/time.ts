/**
 * Processing time comes from a Clock so tests can step it by hand; event time comes from the records.
 *
 * @example
 * const clock = new ManualClock(0);
 * clock.advance(1_000); // processing-time timers due at or before 1000 fire on the next step
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told; for deterministic tests of processing-time logic. */
export class ManualClock implements Clock {
  private time: number;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  set(time: number): void {
    if (time < this.time) throw new RangeError(`ManualClock cannot go back from ${this.time} to ${time}`);
    this.time = time;
  }
}

/** Parses "500ms", "5s", "1m", "2h", "1d" or a bare number of milliseconds. Returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const unit = match[2] ?? 'ms';
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] ?? 1;
  return Math.round(Number(match[1]) * factor);
}

/** The smallest and largest timestamps; watermarks start at MIN and a finished input sends MAX. */
export const MIN_TIMESTAMP = Number.MIN_SAFE_INTEGER;
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;
