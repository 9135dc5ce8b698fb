import {
  DEFAULT_RESTART_WITH_CHECKPOINTING,
  type JobConfig,
  type RestartStrategyConfig,
} from '../../plan/nodes.ts';

/** The strategy a job runs with: its own, else Flink's default (none, or fixed delay with checkpointing). */
export function effectiveRestartStrategy(config: JobConfig): RestartStrategyConfig {
  if (config.restartStrategy !== undefined) return config.restartStrategy;
  return config.checkpointing === undefined ? { kind: 'none' } : DEFAULT_RESTART_WITH_CHECKPOINTING;
}

/**
 * Decides, at each failure, whether to restart and after how long. Times are epoch ms from the
 * caller, so tests pass them in.
 *
 * @example
 * const restarts = new RestartPolicy({ kind: 'fixed-delay', attempts: 3, delay: 1000 });
 * restarts.onFailure(Date.now()); // { restart: true, delay: 1000 }
 */
export class RestartPolicy {
  private readonly strategy: RestartStrategyConfig;
  private restarts = 0;
  private backoff = 0;
  private lastFailure = Number.NEGATIVE_INFINITY;
  private readonly failures: number[] = [];

  constructor(strategy: RestartStrategyConfig) {
    this.strategy = strategy;
  }

  /** Restarts granted so far. */
  get count(): number {
    return this.restarts;
  }

  onFailure(now: number): { restart: false } | { restart: true; delay: number } {
    const s = this.strategy;
    let delay: number;
    switch (s.kind) {
      case 'none':
        return { restart: false };
      case 'fixed-delay':
        if (this.restarts >= s.attempts) return { restart: false };
        delay = s.delay;
        break;
      case 'exponential-backoff': {
        const reset = s.resetAfter !== undefined && now - this.lastFailure >= s.resetAfter;
        this.backoff = this.backoff === 0 || reset ? s.initial : Math.min(s.max, this.backoff * s.multiplier);
        delay = this.backoff;
        break;
      }
      case 'failure-rate': {
        this.failures.push(now);
        while (this.failures.length > 0 && this.failures[0] <= now - s.interval) this.failures.shift();
        if (this.failures.length > s.maxFailures) return { restart: false };
        delay = s.delay;
        break;
      }
    }
    this.lastFailure = now;
    this.restarts++;
    return { restart: true, delay };
  }
}
