import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessWindowFunction } from '../../../plan/functions.ts';
import type { StateBackendConfig } from '../../../plan/nodes.ts';
import { outputTag } from '../../../plan/output-tag.ts';
import type { AggregateFunction } from '../../../plan/state.ts';
import { type WindowHarnessSpec, windowNode } from '../../testing/harness-nodes.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';
import {
  type RestoreScript,
  restoredRun,
  type Step,
  sorted,
  straightRun,
} from '../../testing/restore-runs.ts';
import { isAlignedWindow } from './aligned-window-operator.ts';

interface Ev {
  readonly k: string;
  readonly v: number;
}
const late = outputTag<Ev>('late');
const sumCount: AggregateFunction<Ev, { n: number; sum: number }, string> = {
  createAccumulator: () => ({ n: 0, sum: 0 }),
  add: (e, acc) => ({ n: acc.n + 1, sum: acc.sum + e.v }),
  getResult: (acc) => `${acc.n}/${acc.sum}`,
  merge: (a, b) => ({ n: a.n + b.n, sum: a.sum + b.sum }),
};
const label: ProcessWindowFunction<unknown, string, string> = {
  process(key, ctx, elements, out) {
    const shown = [...elements].map((e) => (typeof e === 'object' ? (e as Ev).v : e)).join(',');
    out.collect(`${key}[${ctx.window.start},${ctx.window.end})=${shown}`);
  },
};

/** Elements of 6 keys over ~1000 ms of event time, watermarks trailing by 120 ms, some late ones. */
function eventSteps(): Step<Ev>[] {
  const steps: Step<Ev>[] = [];
  for (let i = 0; i < 60; i++) {
    const ts = i * 17 - (i % 4 === 3 ? 140 : 0); // every 4th element is late-ish
    steps.push({ element: { k: `k${(i * 5) % 6}`, v: i }, ts });
    if (i % 6 === 5) steps.push({ watermark: i * 17 - 120 });
    if (i % 12 === 11) {
      // Behind the watermark: within an allowed lateness of 150 (a late firing), and beyond it.
      steps.push({ element: { k: 'k1', v: 1_000 + i }, ts: i * 17 - 210 });
      steps.push({ element: { k: 'k2', v: 2_000 + i }, ts: i * 17 - 520 });
    }
  }
  steps.push({ watermark: 1_200 });
  return steps;
}

function script(spec: WindowHarnessSpec<Ev, string, unknown>, steps: Step<Ev>[]): RestoreScript<Ev> {
  return {
    make: (options) => OperatorHarness.forWindow(spec, options),
    key: (e) => e.k,
    steps,
    sideTags: [late.id],
  };
}

const backends: [StateBackendConfig, StateBackendConfig][] = [
  ['heap', { kind: 'lmdb' }],
  [{ kind: 'lmdb' }, 'heap'],
];

async function assertRestoresLikeStraight(s: RestoreScript<Ev>, cuts: readonly number[]): Promise<void> {
  const straight = await straightRun(s);
  assert.ok(straight[0].length > 5, 'the script produces results');
  for (const cut of cuts) {
    for (const [from, to] of backends) {
      const restored = await restoredRun(s, {
        cut,
        before: { parallelism: 1, stateBackend: from },
        after: { parallelism: 1, stateBackend: to },
      });
      assert.deepEqual(
        restored,
        straight,
        `cut after step ${cut}, ${JSON.stringify(from)} → ${JSON.stringify(to)}`,
      );
    }
  }
  const rescaled = await restoredRun(s, {
    cut: cuts[1],
    before: { parallelism: 2 },
    after: { parallelism: 3 },
  });
  assert.deepEqual(sorted(rescaled), sorted(straight), '2 → 3 subtasks');
}

test('tumbling fast path with allowed lateness: buckets, fired flags and late firings survive a restore', async () => {
  const spec: WindowHarnessSpec<Ev, string, unknown> = {
    key: (e) => e.k,
    assigner: { kind: 'tumbling', time: 'event', size: 100, offset: 0 },
    allowedLateness: 150, // fired windows stay around across watermarks (and cuts)
    lateOutput: late,
    aggregate: sumCount,
  };
  assert.equal(isAlignedWindow(windowNode(spec)), true);
  const s = script(spec, eventSteps());
  const [main, lateOnes] = await straightRun(s);
  assert.ok(lateOnes.length > 0, 'some elements are too late');
  assert.ok(
    main.some((r) => r.value === '1/1023' && r.timestamp === 199),
    'a late-but-allowed element fired',
  );
  await assertRestoresLikeStraight(s, [9, 30, 50]);
});

test('sliding fast path with a process function after the aggregate survives a restore', async () => {
  const spec: WindowHarnessSpec<Ev, string, unknown> = {
    key: (e) => e.k,
    assigner: { kind: 'sliding', time: 'event', size: 100, slide: 50, offset: 0 },
    aggregate: sumCount,
    process: label,
  };
  assert.equal(isAlignedWindow(windowNode(spec)), true);
  await assertRestoresLikeStraight(script(spec, eventSteps()), [12, 33, 60]);
});

test('session windows: open, merging sessions and their timers survive a restore', async () => {
  const spec: WindowHarnessSpec<Ev, string, unknown> = {
    key: (e) => e.k,
    assigner: { kind: 'session', time: 'event', gap: 40 },
    allowedLateness: 30,
    lateOutput: late,
    aggregate: sumCount,
    process: label,
  };
  await assertRestoresLikeStraight(script(spec, eventSteps()), [8, 27, 55]);
});

test('a count evictor: buffered elements survive a restore', async () => {
  const spec: WindowHarnessSpec<Ev, string, unknown> = {
    key: (e) => e.k,
    assigner: { kind: 'tumbling', time: 'event', size: 200, offset: 0 },
    evictor: { kind: 'count', max: 2 },
    process: label,
  };
  assert.equal(isAlignedWindow(windowNode(spec)), false);
  await assertRestoresLikeStraight(script(spec, eventSteps()), [10, 31, 52]);
});

test('processing-time tumbling windows (fast path) survive a restore at another clock reading', async () => {
  const steps: Step<Ev>[] = [];
  for (let i = 0; i < 40; i++) {
    steps.push({ element: { k: `k${i % 5}`, v: i } });
    steps.push({ time: i * 23 });
  }
  const spec: WindowHarnessSpec<Ev, string, unknown> = {
    key: (e) => e.k,
    assigner: { kind: 'tumbling', time: 'processing', size: 100, offset: 0 },
    aggregate: sumCount,
  };
  await assertRestoresLikeStraight(script(spec, steps), [15, 41, 70]);
});
