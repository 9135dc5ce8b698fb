// Background upkeep of the logs (retention, checkpoints): one run at a time, failures logged, and timers
// that never keep the process alive.

import type { Logger } from '../../common/logging.ts';

/**
 * Tasks run every so often until stopped.
 *
 * @example
 * const upkeep = new Periodic(log);
 * upkeep.every(60_000, 'checkpoint', () => logs.checkpointAll());
 * await upkeep.stop();
 */
export class Periodic {
  private readonly log: Logger;
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(log: Logger) {
    this.log = log;
  }

  /** Runs `task` every `ms`; runs of all tasks are serialized. */
  every(ms: number, what: string, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      if (this.stopped) return;
      this.running = this.running
        .then(() => (this.stopped ? undefined : task()))
        .catch((error: unknown) => this.log.error({ err: error }, `${what} failed`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Stops the timers and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
  }
}
