import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessWindowFunction } from '../../../plan/functions.ts';
import type { AggregateFunction } from '../../../plan/state.ts';
import type { WindowAssignerSpec } from '../../../plan/windows.ts';
import { windowNode } from '../../testing/harness-nodes.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';
import { isAlignedWindow } from './aligned-window-operator.ts';

interface Ev {
  readonly k: string;
  readonly t: number;
}
const byK = (e: Ev) => e.k;
const count: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (_e, acc) => acc + 1,
  getResult: (acc) => acc,
};
const labelCount: ProcessWindowFunction<unknown, string, string> = {
  process(key, ctx, elements, out) {
    const items = [...elements];
    // After an aggregate the one element is the count; otherwise count the elements.
    const n = typeof items[0] === 'number' ? items[0] : items.length;
    out.collect(`${key}[${ctx.window.start},${ctx.window.end})=${n}`);
  },
};

function events(n: number, seed: number): Ev[] {
  let s = seed;
  const next = () => {
    s = (s * 48271) % 2147483647;
    return s;
  };
  return Array.from({ length: n }, () => ({ k: `k${next() % 4}`, t: (next() % 250) - 50 }));
}

/** Counts per (key, window) computed directly from the definition of the windows. */
function oracle(input: Ev[], size: number, slide: number): string[] {
  const counts = new Map<string, { end: number; n: number }>();
  for (const e of input) {
    for (let start = Math.floor(e.t / slide) * slide; start > e.t - size; start -= slide) {
      const id = `${e.k}[${start},${start + size})`;
      const entry = counts.get(id) ?? { end: start + size, n: 0 };
      entry.n++;
      counts.set(id, entry);
    }
  }
  return [...counts].map(([id, { n }]) => `${id}=${n}`).sort();
}

const assigners: [string, WindowAssignerSpec<Ev>, number, number][] = [
  ['tumbling', { kind: 'tumbling', time: 'event', size: 20, offset: 0 }, 20, 20],
  ['sliding', { kind: 'sliding', time: 'event', size: 30, slide: 10, offset: 0 }, 30, 10],
];

for (const [name, assigner, size, slide] of assigners) {
  test(`${name}: the fast path and the generic operator both match the window definition`, async () => {
    const input = events(400, 11);
    const fast = { key: byK, assigner, aggregate: count, process: labelCount };
    const generic = { key: byK, assigner, process: labelCount };
    assert.equal(isAlignedWindow(windowNode(fast)), true);
    assert.equal(isAlignedWindow(windowNode(generic)), false);
    const results: string[][] = [];
    for (const spec of [fast, generic]) {
      const h = await OperatorHarness.forWindow(spec);
      h.processBatch(
        input,
        input.map((e) => e.t),
      );
      await h.endInput();
      results.push(h.output());
      await h.close();
    }
    assert.deepEqual([...results[0]].sort(), oracle(input, size, slide));
    assert.deepEqual(results[1], results[0], 'same results in the same order');
  });

  test(`${name}: with watermarks and lateness both paths agree element for element`, async () => {
    const input = events(600, 5);
    const outputs: string[][] = [];
    const dropped: number[] = [];
    for (const fn of [{ aggregate: count, process: labelCount }, { process: labelCount }]) {
      const h = await OperatorHarness.forWindow({ key: byK, assigner, allowedLateness: 15, ...fn });
      let maxSeen = Number.NEGATIVE_INFINITY;
      input.forEach((e, i) => {
        h.processElement(e, e.t);
        maxSeen = Math.max(maxSeen, e.t);
        if (i % 25 === 24) h.processWatermark(maxSeen - 60);
      });
      await h.endInput();
      outputs.push(h.output());
      dropped.push(
        (h.operator as unknown as { metrics(): { lateRecordsDropped: number } }).metrics().lateRecordsDropped,
      );
      await h.close();
    }
    assert.ok(dropped[0] > 0, 'the input has elements too late for every window');
    assert.equal(dropped[1], dropped[0]);
    const windows = new Set(outputs[0].map((line) => line.split('=')[0]));
    assert.ok(outputs[0].length > windows.size, 'some windows fired again for late-but-allowed elements');
    assert.deepEqual(outputs[1], outputs[0]);
  });
}
