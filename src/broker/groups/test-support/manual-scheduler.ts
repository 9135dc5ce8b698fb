import type { Scheduler } from '../timers.ts';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when a test says so. `advance(ms)` runs every timer that falls due, in time
 * order, including timers those timers schedule; nothing ever runs on its own.
 *
 * @example
 * const clock = new ManualScheduler();
 * coordinator = await GroupCoordinator.open({ ..., scheduler: clock });
 * clock.advance(10_000); // session timeouts fire
 */
export class ManualScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const entry: Pending = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.pending.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Moves time forward by `ms`, running due timers one by one at their own times. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const due = this.pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.pending.splice(this.pending.indexOf(due), 1);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = target;
  }

  /** Timers still waiting (for tests that check nothing leaks after close). */
  get waiting(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
