import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import type { ProcessWindowFunction } from '../../plan/functions.ts';
import { outputTag } from '../../plan/output-tag.ts';
import type { AggregateFunction, ValueStateDescriptor } from '../../plan/state.ts';
import type { WindowAssignerSpec } from '../../plan/windows.ts';
import { windowNamespace } from '../testing/index.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';

interface Ev {
  readonly k: string;
  readonly v: number;
}
const ev = (k: string, v = 1): Ev => ({ k, v });
const byK = (e: Ev) => e.k;
const count: AggregateFunction<Ev, number, number> = {
  createAccumulator: () => 0,
  add: (_e, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};
const tumbling = (size: number, time: 'event' | 'processing' = 'event'): WindowAssignerSpec<Ev> => ({
  kind: 'tumbling',
  time,
  size,
  offset: 0,
});
/** Labels a pre-aggregated or buffered result with key and window. */
const label: ProcessWindowFunction<unknown, string, string> = {
  process(key, ctx, elements, out) {
    const shown = [...elements].map((e) => (typeof e === 'object' ? (e as Ev).v : e)).join(',');
    out.collect(`${key}[${ctx.window.start},${ctx.window.end})=${shown}`);
  },
};

test('tumbling event-time count fires per window when the watermark passes its end', async () => {
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: tumbling(10),
    aggregate: count,
    process: label,
  });
  h.processBatch([ev('a'), ev('b'), ev('a'), ev('a'), ev('b')], [1, 2, 9, 10, 15]);
  h.processWatermark(8);
  assert.deepEqual(h.output(), []);
  h.processWatermark(9);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 'a[0,10)=2', timestamp: 9 },
    { value: 'b[0,10)=1', timestamp: 9 },
  ]);
  h.processWatermark(19);
  assert.deepEqual(h.output().slice(2), ['a[10,20)=1', 'b[10,20)=1']);
  assert.deepEqual(h.watermarks(), [8, 9, 19]);
  await h.close();
});

test('an element late for all its windows goes to the late side output, or is dropped and counted', async () => {
  const lateTag = outputTag<Ev>('late');
  for (const process of [undefined, label]) {
    // aggregate alone takes the fast path; a process-only window runs the generic operator
    const spec = process
      ? { key: byK, assigner: tumbling(10), process: label, lateOutput: lateTag }
      : { key: byK, assigner: tumbling(10), aggregate: count, lateOutput: lateTag };
    const h = await OperatorHarness.forWindow(spec);
    h.processElement(ev('a', 1), 3);
    h.processWatermark(9);
    h.processElement(ev('a', 2), 5);
    h.processElement(ev('a', 3), 12);
    h.processWatermark(19);
    assert.deepEqual(h.sideOutputWithTimestamps(lateTag), [{ value: ev('a', 2), timestamp: 5 }]);
    assert.deepEqual(h.output(), process ? ['a[0,10)=1', 'a[10,20)=3'] : [1, 1]);
    await h.close();
  }
  const dropping = await OperatorHarness.forWindow({ key: byK, assigner: tumbling(10), aggregate: count });
  dropping.processWatermark(50);
  dropping.processElement(ev('a'), 5);
  const metrics = (dropping.operator as unknown as { metrics(): { lateRecordsDropped: number } }).metrics();
  assert.equal(metrics.lateRecordsDropped, 1);
  assert.deepEqual(dropping.output(), []);
  await dropping.close();
});

test('allowed lateness re-fires the window per late element, then cleans it up', async () => {
  const lateTag = outputTag<Ev>('late');
  for (const fn of [{ aggregate: count, process: label }, { process: label }]) {
    const h = await OperatorHarness.forWindow({
      key: byK,
      assigner: tumbling(10),
      allowedLateness: 5,
      lateOutput: lateTag,
      ...fn,
    });
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('a', 2), 8);
    h.processWatermark(9);
    h.processElement(ev('a', 3), 3); // late but allowed: fires again at once
    h.processWatermark(13);
    h.processElement(ev('a', 4), 4); // 9 + 5 > 13: still allowed
    h.processWatermark(14); // cleanup time 9 + 5
    h.processElement(ev('a', 5), 2); // too late now
    const counted = fn.aggregate !== undefined;
    assert.deepEqual(
      h.outputWithTimestamps(),
      [
        counted ? 'a[0,10)=2' : 'a[0,10)=1,2',
        counted ? 'a[0,10)=3' : 'a[0,10)=1,2,3',
        counted ? 'a[0,10)=4' : 'a[0,10)=1,2,3,4',
      ].map((value) => ({ value, timestamp: 9 })),
    );
    assert.deepEqual(h.sideOutput(lateTag), [ev('a', 5)]);
    assert.equal(h.keyCount(), 0, 'window state is gone after cleanup');
    await h.close();
  }
});

test('sliding windows: each element counts in every window containing it', async () => {
  const sum = (a: Ev, b: Ev) => ev(a.k, a.v + b.v);
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: { kind: 'sliding', time: 'event', size: 10, slide: 5, offset: 0 },
    reduce: sum,
  });
  h.processBatch([ev('k', 1), ev('k', 2), ev('k', 4)], [3, 7, 12]);
  h.processWatermark(30);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: ev('k', 1), timestamp: 4 },
    { value: ev('k', 3), timestamp: 9 },
    { value: ev('k', 6), timestamp: 14 },
    { value: ev('k', 4), timestamp: 19 },
  ]);
  await h.close();
});

test('windowAll puts every element in one key', async () => {
  const h = await OperatorHarness.forWindow({ assigner: tumbling(10), aggregate: count });
  h.processBatch([ev('a'), ev('b'), ev('c')], [1, 2, 11]);
  await h.endInput();
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 2, timestamp: 9 },
    { value: 1, timestamp: 19 },
  ]);
  await h.close();
});

test('processing-time windows assign by the clock and fire when it passes their end', async () => {
  for (const fn of [{ aggregate: count }, { process: label }]) {
    const h = await OperatorHarness.forWindow({ key: byK, assigner: tumbling(1_000, 'processing'), ...fn });
    h.setProcessingTime(1_000);
    h.processElement(ev('x', 1), 5); // the element timestamp plays no part
    h.processElement(ev('y', 2));
    h.setProcessingTime(1_500);
    h.processElement(ev('x', 3), 99_999);
    h.setProcessingTime(1_998);
    assert.deepEqual(h.output(), []);
    h.setProcessingTime(2_500);
    h.processElement(ev('x', 4));
    const first = fn.aggregate ? [2, 1] : ['x[1000,2000)=1,3', 'y[1000,2000)=2'];
    assert.deepEqual(
      h.outputWithTimestamps(),
      first.map((value) => ({ value, timestamp: 1_999 })),
    );
    await h.endInput(); // an open processing-time window fires once at the end of input
    assert.deepEqual(h.outputWithTimestamps()[2], {
      value: fn.aggregate ? 1 : 'x[2000,3000)=4',
      timestamp: 2_999,
    });
    await h.close();
  }
});

test('reduce + process and aggregate + process hand the process function one pre-aggregated element', async () => {
  const seen: unknown[][] = [];
  const spy: ProcessWindowFunction<unknown, string, string> = {
    process(key, _ctx, elements, out) {
      seen.push([...elements]);
      out.collect(key);
    },
  };
  const sumV = (a: Ev, b: Ev) => ev(a.k, a.v + b.v);
  for (const fn of [{ reduce: sumV }, { aggregate: count }, {}]) {
    seen.length = 0;
    const h = await OperatorHarness.forWindow({ key: byK, assigner: tumbling(10), process: spy, ...fn });
    h.processBatch([ev('a', 1), ev('a', 2), ev('a', 3)], [1, 2, 3]);
    h.processWatermark(9);
    assert.deepEqual(h.output(), ['a']);
    await h.close();
    if ('reduce' in fn) assert.deepEqual(seen, [[ev('a', 6)]]);
    else if ('aggregate' in fn) assert.deepEqual(seen, [[3]]);
    else assert.deepEqual(seen, [[ev('a', 1), ev('a', 2), ev('a', 3)]]);
  }
});

test('a process function keeps per-window and global state; per-window state goes at cleanup', async () => {
  const FIRES: ValueStateDescriptor<number> = { kind: 'value', name: 'fires' };
  const TOTAL: ValueStateDescriptor<number> = { kind: 'value', name: 'total' };
  const cleared: string[] = [];
  const stateful: ProcessWindowFunction<number, string, string> = {
    process(key, ctx, elements, out) {
      const fires = ctx.windowState.getState(FIRES);
      const total = ctx.globalState.getState(TOTAL);
      fires.update((fires.value() ?? 0) + 1);
      total.update((total.value() ?? 0) + 1);
      out.collect(
        `${key} w${ctx.window.start} count=${[...elements][0]} fire#${fires.value()} total=${total.value()}`,
      );
    },
    clear(ctx) {
      cleared.push(`w${ctx.window.start}`);
    },
  };
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: tumbling(10),
    allowedLateness: 5,
    aggregate: count,
    process: stateful,
  });
  h.processBatch([ev('a'), ev('a')], [1, 12]);
  h.processWatermark(9);
  h.processElement(ev('a'), 2);
  h.processWatermark(19);
  assert.deepEqual(h.output(), [
    'a w0 count=1 fire#1 total=1',
    'a w0 count=2 fire#2 total=2',
    'a w10 count=1 fire#1 total=3',
  ]);
  assert.deepEqual(cleared, ['w0']);
  assert.equal(h.state('a', FIRES, windowNamespace({ start: 0, end: 10 })), undefined);
  assert.equal(h.state('a', FIRES, windowNamespace({ start: 10, end: 20 })), 1);
  assert.equal(h.state('a', TOTAL), 3);
  await h.close();
});

test('event-time windows reject elements without a timestamp; invalid windows are refused', async () => {
  for (const fn of [{ aggregate: count }, { process: label }]) {
    const h = await OperatorHarness.forWindow({ key: byK, assigner: tumbling(10), ...fn });
    assert.throws(
      () => h.processElement(ev('a')),
      (e) => isStreamError(e, 'ENG_MISSING_TIMESTAMP'),
    );
    await h.close();
  }
  await assert.rejects(
    OperatorHarness.forWindow({ key: byK, assigner: tumbling(0), aggregate: count }),
    (e) => isStreamError(e, 'ENG_INVALID_JOB') && /window size/.test(e.message),
  );
  await assert.rejects(
    OperatorHarness.forWindow({ key: byK, assigner: tumbling(10) }),
    (e) => isStreamError(e, 'ENG_INVALID_JOB') && /needs a function/.test(e.message),
  );
  const noMerge = { ...count, merge: undefined };
  await assert.rejects(
    OperatorHarness.forWindow({
      key: byK,
      assigner: { kind: 'session', time: 'event', gap: 5 },
      aggregate: noMerge,
    }),
    (e) => isStreamError(e, 'ENG_AGGREGATE_MERGE_MISSING'),
  );
});

test('a throwing window function fails with the operator name', async () => {
  const h = await OperatorHarness.forWindow({
    key: byK,
    assigner: tumbling(10),
    reduce: () => {
      throw new Error('nope');
    },
    name: 'sums',
  });
  h.processElement(ev('a'), 1);
  assert.throws(
    () => h.processElement(ev('a'), 2),
    (e) => isStreamError(e, 'ENG_USER_FUNCTION_FAILED') && /"sums"/.test(e.message),
  );
  await h.close();
});
