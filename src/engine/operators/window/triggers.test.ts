import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMESTAMP } from '../../../common/time.ts';
import type { ProcessWindowFunction } from '../../../plan/functions.ts';
import type { ValueStateDescriptor } from '../../../plan/state.ts';
import type { Trigger } from '../../../plan/windows.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';

const sum = (a: number, b: number) => a + b;
const same = () => 'k';
const list: ProcessWindowFunction<number, string, string> = {
  process: (_key, _ctx, elements, out) => out.collect([...elements].join(',')),
};

test('a count trigger fires every n elements; global windows keep their contents', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'global' },
    trigger: { kind: 'count', count: 3 },
    reduce: sum,
  });
  h.processBatch([1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 6, timestamp: MAX_TIMESTAMP },
    { value: 21, timestamp: MAX_TIMESTAMP },
  ]);
  await h.close();
});

test('purging(count) starts each firing afresh', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'global' },
    trigger: { kind: 'purging', inner: { kind: 'count', count: 3 } },
    reduce: sum,
  });
  h.processBatch([1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(h.output(), [6, 15]);
  await h.close();
});

test('global windows with the default trigger never fire, not even at the end of input', async () => {
  const h = await OperatorHarness.forWindow({ key: same, assigner: { kind: 'global' }, reduce: sum });
  h.processBatch([1, 2], [1, 2]);
  await h.endInput();
  assert.deepEqual(h.output(), []);
  await h.close();
});

test('an event-time trigger on a global window fires once, at the final watermark', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'global' },
    trigger: { kind: 'event-time' },
    reduce: sum,
  });
  h.processBatch([1, 2], [1, 2]);
  h.processWatermark(1_000_000);
  assert.deepEqual(h.output(), []);
  await h.endInput();
  assert.deepEqual(h.outputWithTimestamps(), [{ value: 3, timestamp: MAX_TIMESTAMP }]);
  await h.close();
});

test('a count trigger on event-time windows ignores the watermark; cleanup still drops the window', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'tumbling', time: 'event', size: 10, offset: 0 },
    trigger: { kind: 'count', count: 2 },
    process: list,
  });
  h.processBatch([1, 2, 3], [1, 2, 3]);
  h.processWatermark(9);
  assert.deepEqual(h.output(), ['1,2']);
  assert.equal(h.keyCount(), 0);
  await h.close();
});

test('a continuous event-time trigger fires every interval and at the window end', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'tumbling', time: 'event', size: 100, offset: 0 },
    trigger: { kind: 'continuous', time: 'event', interval: 30 },
    reduce: sum,
  });
  h.processBatch([1, 2], [5, 40]);
  h.processWatermark(35); // fire at 30
  h.processElement(4, 70);
  h.processWatermark(65); // fire at 60
  h.processWatermark(99); // fire at 90, then at the window end 99
  assert.deepEqual(
    h.outputWithTimestamps(),
    [3, 7, 7, 7].map((value) => ({ value, timestamp: 99 })),
  );
  assert.equal(h.keyCount(), 0);
  await h.close();
});

test('a continuous processing-time trigger fires every interval of the clock', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'global' },
    trigger: { kind: 'continuous', time: 'processing', interval: 100 },
    reduce: sum,
  });
  h.setProcessingTime(10);
  h.processElement(1);
  h.setProcessingTime(50);
  h.processElement(2);
  h.setProcessingTime(100);
  h.setProcessingTime(150);
  h.processElement(4);
  h.setProcessingTime(250);
  assert.deepEqual(h.output(), [3, 7]);
  h.setProcessingTime(300);
  assert.deepEqual(h.output(), [3, 7, 7]);
  await h.close();
});

test('purging(event-time) with allowed lateness re-fires with the late elements only', async () => {
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'tumbling', time: 'event', size: 10, offset: 0 },
    trigger: { kind: 'purging', inner: { kind: 'event-time' } },
    allowedLateness: 10,
    process: list,
  });
  h.processBatch([1, 2], [1, 2]);
  h.processWatermark(9);
  h.processElement(3, 3);
  assert.deepEqual(h.output(), ['1,2', '3']);
  await h.close();
});

test('a custom trigger uses per-window state and timers', async () => {
  const SEEN: ValueStateDescriptor<number> = { kind: 'value', name: 'seen' };
  // Fires-and-purges on a 0, otherwise fires 5 ms after the first element of a window, with the count seen.
  const trigger: Trigger<number> = {
    onElement(value, timestamp, _window, ctx) {
      const seen = ctx.state.getState(SEEN);
      if (seen.value() === undefined) ctx.registerEventTimeTimer(timestamp + 5);
      seen.update((seen.value() ?? 0) + 1);
      return value === 0 ? 'fire-and-purge' : 'continue';
    },
    onEventTime(_time, _window, ctx) {
      return (ctx.state.getState(SEEN).value() ?? 0) > 2 ? 'fire' : 'continue';
    },
    onProcessingTime: () => 'continue',
    clear(_window, ctx) {
      ctx.state.getState(SEEN).clear();
    },
  };
  const h = await OperatorHarness.forWindow({
    key: same,
    assigner: { kind: 'tumbling', time: 'event', size: 100, offset: 0 },
    trigger: { kind: 'custom', trigger },
    process: list,
  });
  h.processBatch([7, 8, 0, 9], [10, 11, 12, 13]);
  assert.deepEqual(h.output(), ['7,8,0']);
  h.processWatermark(15); // 4 seen > 2: fires with what is left after the purge
  assert.deepEqual(h.output(), ['7,8,0', '9']);
  h.processWatermark(99);
  assert.equal(h.keyCount(), 0);
  await h.close();
});
