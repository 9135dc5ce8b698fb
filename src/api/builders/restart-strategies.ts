import type { RestartStrategyConfig } from '../../plan/nodes.ts';
import { restartStrategyConfig } from '../ops/fault-tolerance.ts';

/**
 * Restart strategies for env.setRestartStrategy (Flink's RestartStrategies). Durations in ms.
 *
 * @example
 * env.setRestartStrategy(RestartStrategies.fixedDelay(3, Time.seconds(10)));
 * env.setRestartStrategy(RestartStrategies.exponentialBackoff({ initial: 1_000, max: 60_000, multiplier: 2 }));
 */
export const RestartStrategies = Object.freeze({
  /** Fail the job at the first failure. */
  none: (): RestartStrategyConfig => restartStrategyConfig({ kind: 'none' }),
  /** Up to `attempts` restarts in all, waiting `delay` before each. */
  fixedDelay: (attempts: number, delay: number): RestartStrategyConfig =>
    restartStrategyConfig({ kind: 'fixed-delay', attempts, delay }),
  /** Waits initial, initial·multiplier, ... (at most max); back to initial after `resetAfter` ms without failure. */
  exponentialBackoff: (options: {
    initial: number;
    max: number;
    multiplier?: number;
    resetAfter?: number;
  }): RestartStrategyConfig =>
    restartStrategyConfig({ kind: 'exponential-backoff', ...options, multiplier: options.multiplier ?? 2 }),
  /** Restarts after `delay` unless more than `maxFailures` failures fall within `interval`. */
  failureRate: (maxFailures: number, interval: number, delay: number): RestartStrategyConfig =>
    restartStrategyConfig({ kind: 'failure-rate', maxFailures, interval, delay }),
});
