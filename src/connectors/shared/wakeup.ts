/**
 * Lets a reader's poll() sleep until data arrives, a time limit passes or the job is cancelled, so that
 * poll(maxWaitMs) never blocks longer than asked.
 *
 * @example
 * socket.on('data', () => { lines.push(...); wakeup.notify(); });
 * if (lines.length === 0) await wakeup.wait(maxWaitMs, ctx.signal);
 */
export class Wakeup {
  private waiters: (() => void)[] = [];

  /** Wakes every pending wait(). */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on notify(), after `ms`, or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done);
      this.waiters.push(done);
    });
  }
}

/** Sleeps `ms`, returning early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Wakeup().wait(ms, signal);
}
