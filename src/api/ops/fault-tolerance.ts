import {
  type CheckpointingConfig,
  DEFAULT_CHECKPOINTING,
  type RestartStrategyConfig,
} from '../../plan/nodes.ts';
import { invalidArgument, requireNonNegativeInteger, requirePositiveInteger } from './checks.ts';

/** What enableCheckpointing takes besides the interval; every field has a default (DEFAULT_CHECKPOINTING). */
export interface CheckpointingOptions {
  /** Least time (ms) between the end of one checkpoint and the start of the next. Default 0. */
  readonly minPause?: number;
  /** A checkpoint not complete after this many ms is aborted. Default 10 minutes. */
  readonly timeout?: number;
  /** Completed checkpoints kept on disk. Default 1. */
  readonly retained?: number;
  /** Default 'exactly-once' (aligned barriers). */
  readonly mode?: 'exactly-once' | 'at-least-once';
}

/** The full checkpointing config from an interval and options, checked. */
export function checkpointingConfig(
  interval: number,
  options: CheckpointingOptions = {},
): CheckpointingConfig {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('checkpointing options must be an object, e.g. { minPause: 500, timeout: 60_000 }');
  }
  const config: CheckpointingConfig = {
    interval,
    minPause: options.minPause ?? DEFAULT_CHECKPOINTING.minPause,
    timeout: options.timeout ?? DEFAULT_CHECKPOINTING.timeout,
    retained: options.retained ?? DEFAULT_CHECKPOINTING.retained,
    mode: options.mode ?? DEFAULT_CHECKPOINTING.mode,
  };
  requirePositiveInteger(config.interval, 'checkpoint interval');
  requireNonNegativeInteger(config.minPause, 'checkpoint minPause');
  requirePositiveInteger(config.timeout, 'checkpoint timeout');
  requirePositiveInteger(config.retained, 'retained checkpoints');
  if (config.mode !== 'exactly-once' && config.mode !== 'at-least-once') {
    throw invalidArgument(
      `checkpoint mode must be 'exactly-once' or 'at-least-once', got ${JSON.stringify(config.mode)}`,
    );
  }
  return Object.freeze(config);
}

/** Checks a restart strategy and returns a frozen copy of it. */
export function restartStrategyConfig(strategy: RestartStrategyConfig): RestartStrategyConfig {
  const kind = (strategy as { kind?: unknown } | undefined)?.kind;
  switch (kind) {
    case 'none':
      return Object.freeze({ kind: 'none' });
    case 'fixed-delay': {
      const s = strategy as Extract<RestartStrategyConfig, { kind: 'fixed-delay' }>;
      requireNonNegativeInteger(s.attempts, 'restart attempts');
      requireNonNegativeInteger(s.delay, 'restart delay');
      return Object.freeze({ kind, attempts: s.attempts, delay: s.delay });
    }
    case 'exponential-backoff': {
      const s = strategy as Extract<RestartStrategyConfig, { kind: 'exponential-backoff' }>;
      requirePositiveInteger(s.initial, 'initial backoff');
      requirePositiveInteger(s.max, 'max backoff');
      if (s.max < s.initial)
        throw invalidArgument(`max backoff (${s.max}) must be at least initial (${s.initial})`);
      if (!(typeof s.multiplier === 'number' && Number.isFinite(s.multiplier) && s.multiplier >= 1)) {
        throw invalidArgument(`backoff multiplier must be a number ≥ 1, got ${String(s.multiplier)}`);
      }
      if (s.resetAfter !== undefined) requirePositiveInteger(s.resetAfter, 'backoff resetAfter');
      const base = { kind, initial: s.initial, max: s.max, multiplier: s.multiplier };
      return Object.freeze(s.resetAfter === undefined ? base : { ...base, resetAfter: s.resetAfter });
    }
    case 'failure-rate': {
      const s = strategy as Extract<RestartStrategyConfig, { kind: 'failure-rate' }>;
      requirePositiveInteger(s.maxFailures, 'maxFailures');
      requirePositiveInteger(s.interval, 'failure-rate interval');
      requireNonNegativeInteger(s.delay, 'restart delay');
      return Object.freeze({ kind, maxFailures: s.maxFailures, interval: s.interval, delay: s.delay });
    }
    default:
      throw invalidArgument(
        `restart strategy kind must be 'none', 'fixed-delay', 'exponential-backoff' or 'failure-rate', got ${JSON.stringify(kind)}; ` +
          'build one with RestartStrategies, e.g. RestartStrategies.fixedDelay(3, Time.seconds(10))',
      );
  }
}
