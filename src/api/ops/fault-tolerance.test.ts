import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import type { RestartStrategyConfig } from '../../plan/nodes.ts';
import { RestartStrategies } from '../builders/restart-strategies.ts';
import { createEnvironment } from '../environment.ts';

function invalid(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(isStreamError(error, 'ENG_INVALID_ARGUMENT'), String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

test('enableCheckpointing fills in the defaults; options override them', () => {
  const env = createEnvironment().enableCheckpointing(5_000);
  assert.deepEqual(env.config.checkpointing, {
    interval: 5_000,
    minPause: 0,
    timeout: 600_000,
    retained: 1,
    mode: 'exactly-once',
  });
  const tuned = createEnvironment({
    checkpointing: { interval: 1_000, minPause: 200, retained: 3, mode: 'at-least-once' },
  });
  assert.deepEqual(tuned.config.checkpointing, {
    interval: 1_000,
    minPause: 200,
    timeout: 600_000,
    retained: 3,
    mode: 'at-least-once',
  });
});

test('checkpointing options are checked where they are given', () => {
  invalid(
    () => createEnvironment().enableCheckpointing(0),
    /checkpoint interval must be a whole number above 0/,
  );
  invalid(() => createEnvironment().enableCheckpointing(1000, { minPause: -1 }), /minPause/);
  invalid(() => createEnvironment().enableCheckpointing(1000, { retained: 0 }), /retained checkpoints/);
  invalid(
    () => createEnvironment().enableCheckpointing(1000, { mode: 'twice' as 'exactly-once' }),
    /'exactly-once' or 'at-least-once'/,
  );
});

test('restart strategies come from RestartStrategies or plain objects, checked', () => {
  const env = createEnvironment({ restartStrategy: RestartStrategies.fixedDelay(3, 10_000) });
  assert.deepEqual(env.config.restartStrategy, { kind: 'fixed-delay', attempts: 3, delay: 10_000 });
  env.setRestartStrategy(RestartStrategies.exponentialBackoff({ initial: 100, max: 5_000 }));
  assert.deepEqual(env.config.restartStrategy, {
    kind: 'exponential-backoff',
    initial: 100,
    max: 5_000,
    multiplier: 2,
  });
  env.setRestartStrategy({ kind: 'failure-rate', maxFailures: 3, interval: 60_000, delay: 1_000 });
  assert.equal(env.config.restartStrategy?.kind, 'failure-rate');
  env.setRestartStrategy(RestartStrategies.none());
  assert.deepEqual(env.config.restartStrategy, { kind: 'none' });

  invalid(() => RestartStrategies.fixedDelay(-1, 0), /restart attempts/);
  invalid(() => RestartStrategies.exponentialBackoff({ initial: 500, max: 100 }), /at least initial/);
  invalid(() => RestartStrategies.exponentialBackoff({ initial: 1, max: 2, multiplier: 0.5 }), /multiplier/);
  invalid(
    () => env.setRestartStrategy({ kind: 'sometimes' } as unknown as RestartStrategyConfig),
    /RestartStrategies/,
  );
});
