/**
 * Time for the group coordinator: a clock plus one-shot timers. The real one uses `setTimeout`; tests use
 * a manual one (`test-support/manual-scheduler.ts`) and move time by hand, so no test waits for real.
 */
export interface Scheduler {
  now(): number;
  /** Runs `fn` once, `delayMs` from now. The returned function cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

/**
 * The default scheduler. `now` is the coordinator's injectable clock; the timers themselves are real.
 *
 * @example
 * const scheduler = realScheduler(); // Date.now + setTimeout
 */
export function realScheduler(now: () => number = Date.now): Scheduler {
  return {
    now,
    schedule(delayMs, fn) {
      const handle = setTimeout(fn, Math.max(0, delayMs));
      // Group timers must never keep a process alive on their own (the broker's sockets do that).
      handle.unref();
      return () => clearTimeout(handle);
    },
  };
}

/**
 * Timers by name, as Kafka's coordinator keys them (`join-<group>`, `heartbeat-<group>-<member>`):
 * scheduling a key replaces its previous timer, so a heartbeat simply pushes its member's deadline out.
 *
 * @example
 * timers.schedule(`heartbeat:${group}:${member}`, 10_000, () => expire(member));
 */
export class KeyedTimers {
  private readonly scheduler: Scheduler;
  private readonly onError: (error: unknown, key: string) => void;
  private readonly active = new Map<string, () => void>();
  private closed = false;

  /** `onError` receives what a timer callback throws, which would otherwise crash the process. */
  constructor(scheduler: Scheduler, onError: (error: unknown, key: string) => void) {
    this.scheduler = scheduler;
    this.onError = onError;
  }

  now(): number {
    return this.scheduler.now();
  }

  /** (Re)schedules `key`; a closed timer set ignores the call. */
  schedule(key: string, delayMs: number, fn: () => void): void {
    if (this.closed) return;
    this.cancel(key);
    const cancel = this.scheduler.schedule(delayMs, () => {
      if (this.active.get(key) !== cancel) return;
      this.active.delete(key);
      try {
        fn();
      } catch (error) {
        this.onError(error, key);
      }
    });
    this.active.set(key, cancel);
  }

  cancel(key: string): void {
    const cancel = this.active.get(key);
    if (cancel === undefined) return;
    this.active.delete(key);
    cancel();
  }

  has(key: string): boolean {
    return this.active.has(key);
  }

  /** Cancels every timer and refuses new ones (coordinator shutdown). */
  close(): void {
    this.closed = true;
    for (const cancel of this.active.values()) cancel();
    this.active.clear();
  }
}
