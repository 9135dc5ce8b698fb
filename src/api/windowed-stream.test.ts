import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import type { SinkDescriptor } from '../plan/connectors.ts';
import type { Collector, WindowContext } from '../plan/functions.ts';
import type { PlanNodeOf } from '../plan/nodes.ts';
import { outputTag } from '../plan/output-tag.ts';
import type { Trigger } from '../plan/windows.ts';
import { CountEvictor } from './builders/evictors.ts';
import { CountTrigger, customTrigger, PurgingTrigger } from './builders/triggers.ts';
import {
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
} from './builders/window-assigners.ts';
import { createEnvironment } from './environment.ts';

interface Reading {
  readonly sensor: string;
  readonly value: number;
}

const sink: SinkDescriptor<unknown> = { connector: 'test-sink', config: {} };
const invalid = (message: RegExp) => ({ code: 'ENG_INVALID_ARGUMENT', message });

function setup(parallelism = 1) {
  const env = createEnvironment({ parallelism });
  const readings = env.fromElements<Reading>({ sensor: 'a', value: 1 });
  return { env, readings, bySensor: readings.keyBy((r) => r.sensor) };
}

function windows(env: ReturnType<typeof setup>['env']): PlanNodeOf<'window'>[] {
  return env.toPlan().nodes.filter((node): node is PlanNodeOf<'window'> => node.kind === 'window');
}

const windowCtx = (start: number, end: number): WindowContext =>
  ({ window: { start, end } }) as WindowContext;

function collect<T>(): Collector<T> & { values: T[] } {
  const values: T[] = [];
  return { values, collect: (value) => values.push(value) };
}

test('a window node gets the default trigger of its assigner and the functions it was given', () => {
  const { env, bySensor } = setup();
  const max = (a: Reading, b: Reading) => (a.value > b.value ? a : b);
  bySensor.window(TumblingEventTimeWindows.of(1_000)).reduce(max).sinkTo(sink);
  bySensor.window(SlidingProcessingTimeWindows.of(1_000, 500)).reduce(max).sinkTo(sink);
  bySensor.window(EventTimeSessionWindows.withGap(100)).reduce(max).sinkTo(sink);
  const [event, processing, session] = windows(env);
  assert.deepEqual(event, {
    kind: 'window',
    id: 1,
    name: 'Window(TumblingEventTimeWindows(1000))',
    inputs: [event?.inputs[0]],
    keyed: true,
    assigner: { kind: 'tumbling', time: 'event', size: 1_000, offset: 0 },
    trigger: { kind: 'event-time' },
    allowedLateness: 0,
    reduce: max,
  });
  assert.equal(event?.inputs[0]?.partitioning.kind, 'keyed');
  assert.deepEqual(processing?.trigger, { kind: 'processing-time' });
  assert.equal(processing?.name, 'Window(SlidingProcessingTimeWindows(1000, 500))');
  assert.deepEqual(session?.trigger, { kind: 'event-time' });
});

test('trigger, evictor, allowedLateness and sideOutputLateData go into the window node', () => {
  const { env, bySensor } = setup();
  const late = outputTag<Reading>('late-readings');
  const process = { process: () => {} };
  const windowed = bySensor
    .window(TumblingEventTimeWindows.of(1_000))
    .trigger(PurgingTrigger.of(CountTrigger.of(5)))
    .evictor(CountEvictor.of(3, { after: true }))
    .allowedLateness(2_000)
    .sideOutputLateData(late)
    .process(process);
  windowed.getSideOutput(late).sinkTo(sink);
  windowed.sinkTo(sink);
  const [node] = windows(env);
  assert.deepEqual(
    { ...node, inputs: undefined },
    {
      kind: 'window',
      id: 1,
      name: 'Window(TumblingEventTimeWindows(1000))',
      inputs: undefined,
      keyed: true,
      assigner: { kind: 'tumbling', time: 'event', size: 1_000, offset: 0 },
      trigger: { kind: 'purging', inner: { kind: 'count', count: 5 } },
      evictor: { kind: 'count', max: 3, after: true },
      allowedLateness: 2_000,
      lateOutput: 'late-readings',
      process,
    },
  );
  assert.deepEqual(env.toPlan().nodes[2]?.inputs[0], {
    from: 1,
    partitioning: { kind: 'forward' },
    port: 0,
    sideOutput: 'late-readings',
  });
});

test('window settings must come before the window function', () => {
  const { bySensor } = setup();
  const windowed = bySensor.window(TumblingEventTimeWindows.of(1_000));
  windowed.reduce((a) => a);
  assert.throws(
    () => windowed.trigger(CountTrigger.of(1)),
    invalid(/trigger\(\) was called after the window got its function/),
  );
  assert.throws(() => windowed.allowedLateness(5), invalid(/allowedLateness\(\) was called after/));
  // A second function is a second window operator with the same settings.
  assert.doesNotThrow(() => windowed.reduce((a) => a));
  const fresh = bySensor.window(TumblingEventTimeWindows.of(1_000));
  assert.throws(
    () => fresh.allowedLateness(-1),
    invalid(/allowedLateness must be a whole number of 0 or more, got -1/),
  );
  assert.throws(() => fresh.trigger({} as never), invalid(/trigger\(\) needs a trigger/));
  assert.throws(() => fresh.evictor(null as never), invalid(/evictor\(\) needs an evictor/));
  assert.throws(
    () => fresh.sideOutputLateData(undefined as never),
    invalid(/sideOutputLateData\(\) needs an output tag/),
  );
  assert.throws(
    () => fresh.process({} as never),
    invalid(/a ProcessWindowFunction has no process\(\) method/),
  );
  assert.throws(() => bySensor.window({ kind: 'hopping' } as never), invalid(/expected a window assigner/));
});

test('windowAll runs one subtask, reads everything through a global edge and drops the key for its functions', () => {
  const { env, readings } = setup(4);
  const seen: unknown[] = [];
  const all = readings.windowAll(TumblingEventTimeWindows.of(1_000)).process<number>({
    process(ctx, elements, out) {
      seen.push(ctx.window.start);
      for (const reading of elements) out.collect(reading.value);
    },
  });
  all.sinkTo(sink);
  assert.throws(
    () => all.setParallelism(2),
    invalid(/always runs with parallelism 1 \(windowAll sees every element in one subtask\)/),
  );
  all.setParallelism(1);
  const [node] = windows(env);
  assert.equal(node?.keyed, false);
  assert.equal(node?.parallelism, 1);
  assert.equal(node?.name, 'WindowAll(TumblingEventTimeWindows(1000))');
  assert.deepEqual(node?.inputs, [{ from: 0, partitioning: { kind: 'global' }, port: 0 }]);
  const out = collect<unknown>();
  node?.process?.process('ignored key', windowCtx(0, 1_000), [{ sensor: 'a', value: 7 }], out);
  assert.deepEqual([seen, out.values], [[0], [7]]);
  // The sink (parallelism 4) reads the one window subtask through rebalance.
  assert.deepEqual(env.toPlan().nodes[2]?.inputs[0]?.partitioning, { kind: 'rebalance' });
});

test('count() and sum() per key and window, and count() over all', () => {
  const { env, readings, bySensor } = setup();
  bySensor.window(TumblingEventTimeWindows.of(1_000)).count().sinkTo(sink);
  bySensor.window(TumblingEventTimeWindows.of(1_000)).sum('value').sinkTo(sink);
  readings.windowAll(TumblingEventTimeWindows.of(1_000)).count().sinkTo(sink);
  const [count, sum, allCount] = windows(env);

  const aggregate = count?.aggregate;
  assert.ok(aggregate && count?.process && allCount?.process);
  const acc = aggregate.add('x', aggregate.add('y', aggregate.createAccumulator()));
  assert.equal(aggregate.getResult(acc), 2);
  assert.equal(aggregate.merge?.(2, 3), 5);
  const out = collect<unknown>();
  count.process.process('a', windowCtx(0, 1_000), [2], out);
  allCount.process.process(undefined, windowCtx(1_000, 2_000), [4], out);
  assert.deepEqual(out.values, [
    { key: 'a', start: 0, end: 1_000, count: 2 },
    { start: 1_000, end: 2_000, count: 4 },
  ]);
  assert.deepEqual(sum?.reduce?.({ sensor: 'a', value: 1 }, { sensor: 'a', value: 2.5 }), {
    sensor: 'a',
    value: 3.5,
  });
});

test('toPlan reports windows without a function, global windows without a trigger, and unmergeable sessions', () => {
  const { env, readings, bySensor } = setup();
  readings.print();
  bySensor.window(TumblingEventTimeWindows.of(1_000)).trigger(CountTrigger.of(2));
  bySensor.window(GlobalWindows.create()).reduce((a) => a);
  bySensor
    .window(GlobalWindows.create())
    .trigger(CountTrigger.of(10))
    .reduce((a) => a);
  bySensor
    .window(EventTimeSessionWindows.withGap(10))
    .aggregate({ createAccumulator: () => 0, add: (_r, n) => n + 1, getResult: (n) => n });
  const noMerge: Trigger<Reading> = {
    onElement: () => 'continue',
    onEventTime: () => 'fire',
    onProcessingTime: () => 'continue',
    clear: () => {},
  };
  bySensor
    .window(ProcessingTimeSessionWindows.withGap(10))
    .trigger(customTrigger(noMerge))
    .reduce((a) => a);
  try {
    env.toPlan();
    assert.fail('toPlan accepted the job');
  } catch (error) {
    assert.ok(isStreamError(error, 'ENG_INVALID_JOB'));
    assert.deepEqual(error.details.problems, [
      "window(TumblingEventTimeWindows(1000)) after 'Source: Elements' (node 0) has no window function: call reduce, aggregate or process on it",
      "'Window(GlobalWindows)' (node 2) uses GlobalWindows without a trigger, so it would never fire: add .trigger(CountTrigger.of(n)) or another trigger before the window function",
      "'Window(EventTimeSessionWindows(10))' (node 4) aggregates session windows, which merge, but its AggregateFunction has no merge(a, b); add one",
      "'Window(ProcessingTimeSessionWindows(10))' (node 5) uses a custom trigger on session windows, which merge, but the trigger has no onMerge(); add one",
    ]);
    assert.match(
      error.message,
      /^job "eddy job" cannot run:\n {2}- window\(TumblingEventTimeWindows\(1000\)\)/,
    );
  }
});
