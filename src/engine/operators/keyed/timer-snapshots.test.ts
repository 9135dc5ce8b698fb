import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyedCoProcessFunction, KeyedProcessFunction } from '../../../plan/functions.ts';
import type { ValueState, ValueStateDescriptor } from '../../../plan/state.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';
import {
  type RestoreScript,
  restoredRun,
  type Step,
  sorted,
  straightRun,
} from '../../testing/restore-runs.ts';

interface Ev {
  readonly user: string;
  readonly n: number;
}
const COUNT: ValueStateDescriptor<number> = { kind: 'value', name: 'count' };

/**
 * Counts per user; an event timer at the next multiple of 100 (many users share it, so ties must
 * keep their order) and a processing timer 50 ms after each element report the count.
 */
function counter(): KeyedProcessFunction<string, Ev, string> {
  let count!: ValueState<number>;
  return {
    open(ctx) {
      count = ctx.state.getState(COUNT);
    },
    processElement(e, ctx, out) {
      const c = (count.value() ?? 0) + e.n;
      count.update(c);
      ctx.timerService.registerEventTimeTimer(Math.ceil((ctx.timestamp + 1) / 100) * 100);
      ctx.timerService.registerProcessingTimeTimer(ctx.timerService.currentProcessingTime() + 50);
      out.collect(`${ctx.key} saw ${c}`);
    },
    onTimer(time, ctx, out) {
      out.collect(`${ctx.key} ${ctx.timeDomain} ${time}: ${count.value()}`);
    },
  };
}

const steps: Step<Ev>[] = [];
for (let i = 0; i < 40; i++) {
  steps.push({ element: { user: `u${(i * 7) % 10}`, n: i }, ts: i * 13 });
  if (i % 5 === 4) steps.push({ watermark: i * 13 - 20 });
  if (i % 3 === 2) steps.push({ time: i * 10 });
}
steps.push({ time: 1_000 });

const script: RestoreScript<Ev> = {
  make: (options) => OperatorHarness.forKeyedProcess(counter(), (e: Ev) => e.user, options),
  key: (e) => e.user,
  steps,
};

test('keyed process: event and processing timers and state restored mid-stream give the uninterrupted output', async () => {
  const straight = await straightRun(script);
  assert.ok(straight[0].some((r) => r.value === 'u7 event 100: 12'));
  for (const cut of [7, 23, 41]) {
    for (const [from, to] of [
      ['heap', 'lmdb'],
      ['lmdb', 'heap'],
    ] as const) {
      const restored = await restoredRun(script, {
        cut,
        before: { parallelism: 1, stateBackend: from === 'heap' ? 'heap' : { kind: 'lmdb' } },
        after: { parallelism: 1, stateBackend: to === 'heap' ? 'heap' : { kind: 'lmdb' } },
      });
      assert.deepEqual(restored, straight, `cut after step ${cut}, ${from} → ${to}`);
    }
  }
});

test("keyed process: 2 → 3 subtasks, each restored subtask fires exactly its key groups' timers", async () => {
  const straight = await straightRun(script);
  const restored = await restoredRun(script, {
    cut: 23,
    before: { parallelism: 2 },
    after: { parallelism: 3 },
  });
  assert.deepEqual(sorted(restored), sorted(straight));
});

test('keyed co-process: timers and state of both inputs survive a restore', async () => {
  let total!: ValueState<number>;
  const fn: KeyedCoProcessFunction<string, Ev, string, string> = {
    open(ctx) {
      total = ctx.state.getState(COUNT);
    },
    processElement1(e, ctx) {
      total.update((total.value() ?? 0) + e.n);
      ctx.timerService.registerEventTimeTimer(ctx.timestamp + 10);
    },
    processElement2(user, ctx, out) {
      out.collect(`${user} asked: ${total.value() ?? 0}`);
      ctx.timerService.registerProcessingTimeTimer(ctx.timerService.currentProcessingTime() + 5);
    },
    onTimer(time, ctx, out) {
      out.collect(`${ctx.key} ${ctx.timeDomain}@${time}: ${total.value() ?? 0}`);
    },
  };
  const co: RestoreScript<Ev | string> = {
    make: (options) =>
      OperatorHarness.forKeyedCoProcess(
        fn,
        (e: Ev) => e.user,
        (u: string) => u,
        options,
      ),
    key: (value) => (typeof value === 'string' ? value : value.user),
    steps: [
      { element: { user: 'a', n: 1 }, ts: 1 },
      { element: { user: 'b', n: 2 }, ts: 2 },
      { element: 'a', port: 1 },
      { element: { user: 'a', n: 3 }, ts: 5 },
      { watermark: 11 },
      { element: 'b', port: 1 },
      { time: 3 },
      { element: { user: 'b', n: 4 }, ts: 20 },
      { watermark: 40 },
      { time: 10 },
    ],
  };
  assert.deepEqual(await restoredRun(co, { cut: 6 }), await straightRun(co));
});
