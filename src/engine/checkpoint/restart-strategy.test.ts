import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CHECKPOINTING, DEFAULT_JOB_CONFIG } from '../../plan/nodes.ts';
import { effectiveRestartStrategy, RestartPolicy } from './restart-strategy.ts';

test('without a strategy: no restarts, unless checkpointing is on (fixed delay, as Flink)', () => {
  const config = { ...DEFAULT_JOB_CONFIG, jobName: 'j' };
  assert.deepEqual(effectiveRestartStrategy(config), { kind: 'none' });
  const checkpointed = { ...config, checkpointing: { ...DEFAULT_CHECKPOINTING, interval: 1000 } };
  assert.equal(effectiveRestartStrategy(checkpointed).kind, 'fixed-delay');
  assert.deepEqual(effectiveRestartStrategy({ ...checkpointed, restartStrategy: { kind: 'none' } }), {
    kind: 'none',
  });
});

test('fixed delay restarts `attempts` times, then gives up', () => {
  const policy = new RestartPolicy({ kind: 'fixed-delay', attempts: 2, delay: 500 });
  assert.deepEqual(policy.onFailure(0), { restart: true, delay: 500 });
  assert.deepEqual(policy.onFailure(10), { restart: true, delay: 500 });
  assert.deepEqual(policy.onFailure(20), { restart: false });
  assert.equal(policy.count, 2);
});

test('exponential backoff grows to its max and starts over after a quiet spell', () => {
  const policy = new RestartPolicy({
    kind: 'exponential-backoff',
    initial: 100,
    max: 1000,
    multiplier: 3,
    resetAfter: 60_000,
  });
  const delays = [0, 1, 2, 3, 4].map((t) => policy.onFailure(t));
  assert.deepEqual(
    delays.map((d) => (d.restart ? d.delay : -1)),
    [100, 300, 900, 1000, 1000],
  );
  assert.deepEqual(policy.onFailure(4 + 60_000), { restart: true, delay: 100 });
});

test('failure rate gives up when more than maxFailures fall within the interval', () => {
  const policy = new RestartPolicy({ kind: 'failure-rate', maxFailures: 2, interval: 1000, delay: 5 });
  assert.deepEqual(policy.onFailure(0), { restart: true, delay: 5 });
  assert.deepEqual(policy.onFailure(500), { restart: true, delay: 5 });
  assert.deepEqual(policy.onFailure(1200), { restart: true, delay: 5 }, 'the failure at 0 left the window');
  assert.deepEqual(policy.onFailure(1300), { restart: false });
});
