import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WatermarkGenerator } from '../../plan/watermarks.ts';
import { toWatermarkSpec, WatermarkStrategy } from './watermark-strategy.ts';

interface Event {
  readonly ts: number;
}

test('each builder makes the spec the engine reads', () => {
  assert.deepEqual(toWatermarkSpec(WatermarkStrategy.forBoundedOutOfOrderness(5_000)), {
    kind: 'bounded-out-of-orderness',
    maxOutOfOrderness: 5_000,
  });
  assert.deepEqual(toWatermarkSpec(WatermarkStrategy.forMonotonousTimestamps()), { kind: 'monotonous' });
  assert.deepEqual(toWatermarkSpec(WatermarkStrategy.noWatermarks()), { kind: 'none' });
  const generator: WatermarkGenerator<Event> = { onEvent: () => {}, currentWatermark: () => 7 };
  const custom = WatermarkStrategy.forGenerator(() => generator);
  assert.equal(custom.kind, 'custom');
  assert.equal(custom.createGenerator?.(), generator);
});

test('withTimestampAssigner and withIdleness return new strategies and leave the original as it was', () => {
  const base = WatermarkStrategy.forBoundedOutOfOrderness<Event>(1_000);
  const assigner = (event: Event) => event.ts;
  const withAssigner = base.withTimestampAssigner(assigner);
  const idle = withAssigner.withIdleness(60_000);

  assert.equal(base.timestampAssigner, undefined);
  assert.equal(base.idleTimeout, undefined);
  assert.equal(withAssigner.timestampAssigner, assigner);
  assert.equal(withAssigner.idleTimeout, undefined);
  assert.deepEqual(toWatermarkSpec(idle), {
    kind: 'bounded-out-of-orderness',
    maxOutOfOrderness: 1_000,
    timestampAssigner: assigner,
    idleTimeout: 60_000,
  });
  // Idleness first, assigner second keeps both too.
  assert.equal(base.withIdleness(5).withTimestampAssigner(assigner).idleTimeout, 5);
  assert.ok(Object.isFrozen(base) && Object.isFrozen(idle));
  assert.throws(() => {
    (base as { maxOutOfOrderness?: number }).maxOutOfOrderness = 2;
  }, TypeError);
});

test('arguments are checked when the strategy is built', () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    assert.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(bad), {
      code: 'ENG_INVALID_ARGUMENT',
      message: /maxOutOfOrderness must be a whole number of 0 or more/,
    });
  }
  assert.deepEqual(toWatermarkSpec(WatermarkStrategy.forBoundedOutOfOrderness(0)).maxOutOfOrderness, 0);
  assert.throws(() => WatermarkStrategy.noWatermarks().withIdleness(0), {
    code: 'ENG_INVALID_ARGUMENT',
    message: /idleness must be a whole number above 0, got 0/,
  });
  assert.throws(() => WatermarkStrategy.noWatermarks().withTimestampAssigner(42 as never), {
    code: 'ENG_INVALID_ARGUMENT',
    message: /timestamp assigner must be a function/,
  });
  assert.throws(() => WatermarkStrategy.forGenerator(undefined as never), { code: 'ENG_INVALID_ARGUMENT' });
  assert.throws(() => toWatermarkSpec({ kind: 'sometimes' as never }), {
    code: 'ENG_INVALID_ARGUMENT',
    message: /expected a watermark strategy/,
  });
});
