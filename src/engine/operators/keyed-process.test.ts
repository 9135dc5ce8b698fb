import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import type { KeyedProcessFunction, OnTimerContext } from '../../plan/functions.ts';
import { outputTag } from '../../plan/output-tag.ts';
import type { ValueState, ValueStateDescriptor } from '../../plan/state.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';

interface Click {
  readonly user: string;
  readonly page: string;
}
const byUser = (c: Click) => c.user;
const COUNT: ValueStateDescriptor<number> = { kind: 'value', name: 'count' };

/** Counts clicks per user; 100 ms of event time after each click, reports the count so far. */
function countingFn(): KeyedProcessFunction<string, Click, string> {
  let count!: ValueState<number>;
  return {
    open(ctx) {
      count = ctx.state.getState(COUNT);
    },
    processElement(_click, ctx, _out) {
      count.update((count.value() ?? 0) + 1);
      ctx.timerService.registerEventTimeTimer(ctx.timestamp + 100);
    },
    onTimer(time, ctx, out) {
      out.collect(`${ctx.key}:${count.value()}@${time}/${ctx.timeDomain}`);
    },
  };
}

test('event-time timers fire per key in time order when the watermark passes them', async () => {
  const h = await OperatorHarness.forKeyedProcess(countingFn(), byUser);
  h.processElement({ user: 'a', page: '/' }, 1_000);
  h.processElement({ user: 'b', page: '/' }, 1_050);
  h.processElement({ user: 'a', page: '/x' }, 1_000); // same timer (a, 1100): kept once
  h.processWatermark(1_099);
  assert.deepEqual(h.output(), []);
  h.processWatermark(1_150);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 'a:2@1100/event', timestamp: 1_100 },
    { value: 'b:1@1150/event', timestamp: 1_150 },
  ]);
  assert.deepEqual(h.watermarks(), [1_099, 1_150]);
  assert.equal(h.state('a', COUNT), 2);
  assert.equal(h.state('b', COUNT), 1);
  await h.close();
});

test('processing-time timers fire when the clock reaches them; outputs carry no timestamp', async () => {
  const seen: number[] = [];
  const fn: KeyedProcessFunction<string, Click, string> = {
    processElement(click, ctx) {
      ctx.timerService.registerProcessingTimeTimer(ctx.currentProcessingTime() + 500);
      if (click.page === 'cancel')
        ctx.timerService.deleteProcessingTimeTimer(ctx.currentProcessingTime() + 500);
    },
    onTimer(time, ctx: OnTimerContext<string>, out) {
      seen.push(ctx.currentProcessingTime());
      out.collect(`${ctx.key}@${time}/${ctx.timeDomain}`);
    },
  };
  const h = await OperatorHarness.forKeyedProcess(fn, byUser, { startTime: 10_000 });
  h.processElement({ user: 'a', page: '/' }, 5);
  h.setProcessingTime(10_200);
  h.processElement({ user: 'b', page: '/' });
  h.processElement({ user: 'c', page: '/' });
  h.processElement({ user: 'c', page: 'cancel' });
  h.setProcessingTime(10_499);
  assert.deepEqual(h.output(), []);
  h.setProcessingTime(10_600);
  assert.deepEqual(h.outputWithTimestamps(), [{ value: 'a@10500/processing', timestamp: Number.NaN }]);
  h.setProcessingTime(20_000);
  assert.deepEqual(h.output(), ['a@10500/processing', 'b@10700/processing']);
  assert.deepEqual(seen, [10_600, 20_000]);
  await h.close();
});

test('outputs take the element timestamp; side outputs go out by tag', async () => {
  const odd = outputTag<number>('odd');
  const fn: KeyedProcessFunction<number, number, number> = {
    processElement(value, ctx, out) {
      if (value % 2 === 1) ctx.output(odd, value);
      else out.collect(value * 10);
    },
  };
  const h = await OperatorHarness.forKeyedProcess(fn, (n: number) => n % 3);
  h.processBatch([1, 2, 3, 4], [10, 20, 30, Number.NaN]);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 20, timestamp: 20 },
    { value: 40, timestamp: Number.NaN },
  ]);
  assert.deepEqual(h.sideOutputWithTimestamps(odd), [
    { value: 1, timestamp: 10 },
    { value: 3, timestamp: 30 },
  ]);
  await h.close();
});

test('a timer registered in onTimer at or before the watermark fires in the same watermark', async () => {
  const fn: KeyedProcessFunction<string, string, number> = {
    processElement(_v, ctx) {
      ctx.timerService.registerEventTimeTimer(10);
    },
    onTimer(time, ctx, out) {
      out.collect(time);
      if (time < 30) ctx.timerService.registerEventTimeTimer(time + 10);
    },
  };
  const h = await OperatorHarness.forKeyedProcess(fn, (s: string) => s);
  h.processElement('k', 0);
  h.processWatermark(25);
  assert.deepEqual(h.output(), [10, 20]);
  h.processWatermark(100);
  assert.deepEqual(h.output(), [10, 20, 30]);
  await h.close();
});

test('a throwing function fails with the operator name and the element', async () => {
  const fn: KeyedProcessFunction<string, string, never> = {
    processElement(value) {
      if (value === 'bad') throw new Error('boom');
    },
  };
  const h = await OperatorHarness.forKeyedProcess(fn, (s: string) => s);
  assert.throws(
    () => h.processElement('bad', 1),
    (e) =>
      isStreamError(e, 'ENG_USER_FUNCTION_FAILED') &&
      /keyed-process/.test(e.message) &&
      /"bad"/.test(e.message),
  );
  await h.close();
});
