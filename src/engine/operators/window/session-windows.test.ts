import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessWindowFunction } from '../../../plan/functions.ts';
import { outputTag } from '../../../plan/output-tag.ts';
import type { AggregateFunction } from '../../../plan/state.ts';
import { OperatorHarness } from '../../testing/operator-harness.ts';

interface Ev {
  readonly k: string;
  readonly v: number;
  readonly gap?: number;
}
const ev = (k: string, v = 1, gap?: number): Ev => ({ k, v, gap });
const byK = (e: Ev) => e.k;
const count: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (_e, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};
const label: ProcessWindowFunction<unknown, string, string> = {
  process(key, ctx, elements, out) {
    const shown = [...elements].map((e) => (typeof e === 'object' ? (e as Ev).v : e)).join(',');
    out.collect(`${key}[${ctx.window.start},${ctx.window.end})=${shown}`);
  },
};
const session = (gap: number) => ({ kind: 'session', time: 'event', gap }) as const;

test('overlapping and touching sessions of a key merge, with their counts', async () => {
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: session(10),
    aggregate: count,
    process: label,
  });
  // a: [0,10) + [5,15) → [0,15); [30,40); [16,26); then [14,24) joins [0,15) and [16,26) → [0,26)
  h.processBatch([ev('a'), ev('a'), ev('a'), ev('b'), ev('a'), ev('a')], [0, 5, 30, 3, 16, 14]);
  h.processWatermark(14);
  assert.deepEqual(h.outputWithTimestamps(), [{ value: 'b[3,13)=1', timestamp: 12 }]);
  h.processWatermark(25);
  h.processWatermark(39);
  assert.deepEqual(h.outputWithTimestamps().slice(1), [
    { value: 'a[0,26)=4', timestamp: 25 },
    { value: 'a[30,40)=1', timestamp: 39 },
  ]);
  assert.equal(h.keyCount(), 0);
  await h.close();
});

test('merged sessions keep all buffered elements for a process function', async () => {
  const h = await OperatorHarness.forWindow({ key: byK, assigner: session(10), process: label });
  h.processBatch([ev('a', 1), ev('a', 2), ev('a', 3), ev('a', 4)], [0, 5, 16, 14]);
  h.processWatermark(100);
  assert.deepEqual(h.output(), ['a[0,26)=1,2,3,4']);
  await h.close();
});

test('sessions with reduce merge their reduced values', async () => {
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: session(5),
    reduce: (a: Ev, b: Ev) => ev(a.k, a.v + b.v),
  });
  h.processBatch([ev('a', 1), ev('a', 10), ev('a', 100)], [0, 8, 4]);
  h.processWatermark(100);
  assert.deepEqual(h.outputWithTimestamps(), [{ value: ev('a', 111), timestamp: 12 }]);
  await h.close();
});

test('a dynamic gap gives each element its own session length', async () => {
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: { kind: 'session', time: 'event', gap: (e: Ev) => e.gap ?? 1 },
    aggregate: count,
    process: label,
  });
  h.processBatch([ev('x', 1, 5), ev('x', 1, 2), ev('x', 1, 3)], [0, 7, 4]); // [0,5) [7,9) then [4,7) joins both
  h.processWatermark(100);
  assert.deepEqual(h.output(), ['x[0,9)=3']);
  await h.close();
});

test('an element whose new session is already past cleanup is late; a later one still opens a session', async () => {
  const late = outputTag<Ev>('late');
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: session(10),
    aggregate: count,
    lateOutput: late,
  });
  h.processElement(ev('a', 1), 0);
  h.processWatermark(25);
  h.processElement(ev('a', 2), 10); // [10,20): 19 <= 25, late
  h.processElement(ev('a', 3), 20); // [20,30): open
  h.processWatermark(40);
  assert.deepEqual(h.output(), [1, 1]);
  assert.deepEqual(h.sideOutput(late), [ev('a', 2)]);
  await h.close();
});

test('processing-time sessions merge by the clock', async () => {
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: { kind: 'session', time: 'processing', gap: 100 },
    aggregate: count,
    process: label,
  });
  h.processElement(ev('a'));
  h.setProcessingTime(50);
  h.processElement(ev('a'));
  h.setProcessingTime(148);
  assert.deepEqual(h.output(), []);
  h.setProcessingTime(149);
  assert.deepEqual(h.outputWithTimestamps(), [{ value: 'a[0,150)=2', timestamp: 149 }]);
  await h.close();
});
