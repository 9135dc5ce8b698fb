// Proof that element types flow through the API and that keyed-only features need keyBy. Every
// `@ts-expect-error` line is a compile error that tsc requires (an unused one is itself an error); the
// test bodies also build the jobs and check the plans they make.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AggregateFunction,
  type AllWindowedStream,
  type Collector,
  type ConnectedKeyedStreams,
  type ConnectedStreams,
  type CoProcessFunction,
  CountTrigger,
  createEnvironment,
  type DataStream,
  EventTimeSessionWindows,
  GlobalWindows,
  type JobPlan,
  type KeyedCoProcessFunction,
  type KeyedProcessFunction,
  type KeyedStream,
  outputTag,
  type ProcessFunction,
  type ProcessWindowFunction,
  type SinkDescriptor,
  type SourceDescriptor,
  type StreamEnvironment,
  TumblingEventTimeWindows,
  type ValueState,
  valueState,
  WatermarkStrategy,
  type WindowCount,
  type WindowedStream,
} from './index.ts';

interface Click {
  readonly user: string;
  readonly page: string;
  readonly ts: number;
}
interface Order {
  readonly id: number;
  readonly amount: number;
}

/**
 * Holds lines whose only assertion is the compile error tsc must report: they are type-checked but
 * never run, because running them would add operators to the job under test.
 */
function typeOnly(_lines: () => unknown): void {}

const clickSource: SourceDescriptor<Click> = { connector: 'test', config: {}, bounded: true };
const stringSink: SinkDescriptor<string> = { connector: 'test', config: {} };
const clickSink: SinkDescriptor<Click> = { connector: 'test', config: {} };
const anySink: SinkDescriptor<unknown> = { connector: 'test', config: {} };

function splitChars(text: string, out: Collector<string>): void {
  for (const char of text) out.collect(char);
}

function clicksOf(env: StreamEnvironment): DataStream<Click> {
  return env.fromSource(clickSource, WatermarkStrategy.noWatermarks(), 'clicks');
}

/** `id:kind<inputs` per node, e.g. `3:map<2`. */
function shape(plan: JobPlan): string[] {
  return plan.nodes.map(
    (node) => `${node.id}:${node.kind}<${node.inputs.map((edge) => edge.from).join(',')}`,
  );
}

test('element types flow through map, filter, flatMap, keyBy and rolling aggregations', () => {
  const env = createEnvironment();
  const source: DataStream<Click> = env.fromSource(
    clickSource,
    WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((click) => click.ts),
    'clicks',
  );
  const pages: DataStream<string> = source.map((click) => click.page);
  const long: DataStream<string> = pages.filter((page) => page.length > 3);
  const chars: DataStream<string> = long.flatMap(splitChars);
  const perUser: KeyedStream<Click, string> = source.keyBy((click) => click.user);
  const latest: DataStream<Click> = perUser.reduce((a, b) => (a.ts > b.ts ? a : b));
  const counted: DataStream<number> = perUser.aggregate({
    createAccumulator: () => 0,
    add: (_click, n) => n + 1,
    getResult: (n) => n,
  });
  const numbers: DataStream<number> = env.fromElements(1, 2, 3);
  chars.sinkTo(stringSink);
  latest.sinkTo(clickSink);
  counted.map((n) => `${n}`).sinkTo(stringSink);
  numbers.sinkTo(anySink);

  typeOnly(() => {
    // @ts-expect-error a DataStream<string> is not a DataStream<number>
    const wrong: DataStream<number> = pages;
    // @ts-expect-error map's result type is what the function returns
    const wrongMap: DataStream<string> = numbers.map((n) => n * 2);
    // @ts-expect-error a sink of strings does not take clicks
    source.sinkTo(stringSink);
    const byOrderId = WatermarkStrategy.forMonotonousTimestamps<Order>().withTimestampAssigner((o) => o.id);
    // @ts-expect-error the watermark strategy's timestamp assigner must take the source's element type
    env.fromSource(clickSource, byOrderId, 'x');
    // @ts-expect-error the filter function gets the element type
    source.filter((click) => click.amount > 0);
    return [wrong, wrongMap];
  });

  assert.deepEqual(shape(env.toPlan()), [
    '0:source<',
    '1:map<0',
    '2:filter<1',
    '3:flat-map<2',
    '4:keyed-reduce<0',
    '5:keyed-aggregate<0',
    '6:source<',
    '7:sink<3',
    '8:sink<4',
    '9:map<5',
    '10:sink<9',
    '11:sink<6',
  ]);
});

test('windows, rolling aggregations and keyed process functions exist only after keyBy', () => {
  const env = createEnvironment({ parallelism: 2 });
  const stream = clicksOf(env);
  const keyedProcess: KeyedProcessFunction<string, Click, string> = {
    processElement(click, ctx, out) {
      ctx.timerService.registerEventTimeTimer(click.ts + 1_000);
      out.collect(ctx.key);
    },
  };
  typeOnly(() => {
    // @ts-expect-error window() needs a KeyedStream (use keyBy, or windowAll for the whole stream)
    stream.window(TumblingEventTimeWindows.of(1_000));
    // @ts-expect-error reduce() is a rolling aggregation per key
    stream.reduce((a) => a);
    // @ts-expect-error aggregate() is a rolling aggregation per key
    stream.aggregate({
      createAccumulator: () => 0,
      add: (_c: Click, n: number) => n,
      getResult: (n: number) => n,
    });
    // @ts-expect-error a KeyedProcessFunction (timers, state, key) cannot run on a non-keyed stream
    stream.process(keyedProcess);
    // @ts-expect-error the function's key type must be the stream's key type
    stream.keyBy((click) => click.ts).process(keyedProcess);
  });

  const keyed: DataStream<string> = stream.keyBy((click) => click.user).process(keyedProcess);
  const windowed: WindowedStream<Click, string> = stream
    .keyBy((click) => click.user)
    .window(TumblingEventTimeWindows.of(1_000));
  const all: AllWindowedStream<Click> = stream.windowAll(TumblingEventTimeWindows.of(1_000));
  keyed.sinkTo(stringSink);
  windowed.reduce((a) => a).sinkTo(clickSink);
  all.reduce((a) => a).sinkTo(clickSink);

  const plan = env.toPlan();
  assert.deepEqual(shape(plan), [
    '0:source<',
    '1:keyed-process<0',
    '2:sink<1',
    '3:window<0',
    '4:sink<3',
    '5:window<0',
    '6:sink<5',
  ]);
  assert.deepEqual(
    plan.nodes.map((node) => node.inputs[0]?.partitioning.kind),
    [undefined, 'keyed', 'forward', 'keyed', 'forward', 'global', 'rebalance'],
  );
});

test('a plain ProcessFunction sees no keyed state, no timers and no key', () => {
  const env = createEnvironment();
  const stream = clicksOf(env);
  const plain: ProcessFunction<Click, string> = {
    open(ctx) {
      // @ts-expect-error keyed state lives in the KeyedRuntimeContext of keyed functions only
      ctx.state.getState(valueState<number>('count'));
    },
    processElement(click, ctx, out) {
      // @ts-expect-error timers need a keyed stream
      ctx.timerService.registerEventTimeTimer(click.ts);
      out.collect(click.page);
    },
  };
  const inline = stream.process<string>({
    processElement(click, ctx, out) {
      // @ts-expect-error the context of a non-keyed process function has no key
      out.collect(ctx.key);
      out.collect(click.page);
    },
  });
  const result: DataStream<string> = stream.process(plain);
  // A plain ProcessFunction also runs on a keyed stream, as in Flink.
  const onKeyed: DataStream<string> = stream.keyBy((click) => click.user).process(plain);
  inline.union(result, onKeyed).sinkTo(stringSink);
  assert.deepEqual(shape(env.toPlan()), [
    '0:source<',
    '1:process<0',
    '2:process<0',
    '3:keyed-process<0',
    '4:union<1,2,3',
    '5:sink<4',
  ]);
});

test('keyed state handles are typed by their descriptors', () => {
  let count: ValueState<number> | undefined;
  const counter: KeyedProcessFunction<string, Click, number> = {
    open(ctx) {
      count = ctx.state.getState(valueState<number>('count', { defaultValue: 0 }));
      typeOnly(() => {
        // @ts-expect-error a ValueState<number> is not a ValueState<string>
        const wrong: ValueState<string> = ctx.state.getState(valueState<number>('count'));
        return wrong;
      });
    },
    processElement(_click, _ctx, out) {
      const next = (count?.value() ?? 0) + 1;
      count?.update(next);
      // @ts-expect-error a ValueState<number> holds numbers
      typeOnly(() => count?.update('one'));
      out.collect(next);
    },
  };
  const env = createEnvironment();
  const counts: DataStream<number> = clicksOf(env)
    .keyBy((c) => c.user)
    .process(counter);
  counts.sinkTo(anySink);
  assert.deepEqual(shape(env.toPlan()), ['0:source<', '1:keyed-process<0', '2:sink<1']);
});

test('window functions see the element, pre-aggregate and key types', () => {
  const env = createEnvironment();
  const windowed = clicksOf(env)
    .keyBy((click) => click.user)
    .window(TumblingEventTimeWindows.of(1_000));
  const countClicks: AggregateFunction<Click, number, number> = {
    createAccumulator: () => 0,
    add: (_click, n) => n + 1,
    getResult: (n) => n,
  };
  const label: ProcessWindowFunction<number, string, string> = {
    process(user, ctx, counts, out) {
      for (const n of counts) out.collect(`${user}@${ctx.window.start}: ${n}`);
    },
  };
  const byNumber: ProcessWindowFunction<number, string, number> = { process: () => {} };
  typeOnly(() => {
    // @ts-expect-error the process function's key type must be the stream's key type
    windowed.aggregate(countClicks, byNumber);
    // @ts-expect-error after aggregate, the process function gets the aggregate's result, not clicks
    windowed.aggregate(countClicks, { process: (_k: string, _c, clicks: Iterable<Click>) => [...clicks] });
    // @ts-expect-error sum() takes a numeric field
    windowed.sum('page');
    // @ts-expect-error late data has the element type of the window
    windowed.sideOutputLateData(outputTag<Order>('late'));
    const orderGap = EventTimeSessionWindows.withDynamicGap((o: Order) => o.amount);
    const perUser = clicksOf(env).keyBy((c) => c.user);
    // @ts-expect-error a dynamic gap reads the window's element type
    perUser.window(orderGap);
  });
  const labelled: DataStream<string> = windowed.aggregate(countClicks, label);
  const totals: DataStream<number> = windowed.aggregate(countClicks);
  const busiest: DataStream<Click> = windowed.reduce((a, b) => (a.ts > b.ts ? a : b));
  const counts: DataStream<WindowCount<string>> = windowed.count();
  const summed: DataStream<Click> = windowed.sum('ts');
  // The gap function's parameter is inferred from the stream it windows.
  const sessions: DataStream<Click> = clicksOf(env)
    .keyBy((c) => c.user)
    .window(EventTimeSessionWindows.withDynamicGap((c) => (c.ts % 1_000) + 1))
    .reduce((a) => a);
  const global: DataStream<WindowCount<string>> = clicksOf(env)
    .keyBy((c) => c.user)
    .window(GlobalWindows.create())
    .trigger(CountTrigger.of(10))
    .count();
  for (const stream of [labelled, totals, busiest, counts, summed, sessions, global]) stream.sinkTo(anySink);
  const windows = env.toPlan().nodes.filter((node) => node.kind === 'window');
  assert.deepEqual(
    windows.map((node) => [
      node.assigner.kind,
      Boolean(node.reduce),
      Boolean(node.aggregate),
      Boolean(node.process),
    ]),
    [
      ['tumbling', false, true, true],
      ['tumbling', false, true, false],
      ['tumbling', true, false, false],
      ['tumbling', false, true, true],
      ['tumbling', true, false, false],
      ['session', true, false, false],
      ['global', false, true, true],
    ],
  );
});

test('connected streams: plain co-process functions, keyed ones after keyBy', () => {
  const env = createEnvironment();
  const clicks = clicksOf(env);
  const orders = env.fromElements<Order>({ id: 1, amount: 10 });
  const plain: CoProcessFunction<Click, Order, string> = {
    processElement1: (click, _ctx, out) => out.collect(click.page),
    processElement2: (order, _ctx, out) => out.collect(String(order.amount)),
  };
  const keyedFn: KeyedCoProcessFunction<string, Click, Order, string> = {
    processElement1: (_click, ctx, out) => out.collect(ctx.key),
    processElement2: (_order, ctx, out) => out.collect(ctx.key),
  };
  const connected: ConnectedStreams<Click, Order> = clicks.connect(orders);
  typeOnly(() => {
    // @ts-expect-error a KeyedCoProcessFunction needs connected keyed streams
    connected.process(keyedFn);
    const byId = (order: Order) => order.id;
    // @ts-expect-error both key selectors must produce the same key type
    connected.keyBy((click) => click.user, byId);
    // @ts-expect-error union needs streams of the same type
    clicks.union(orders);
  });
  const merged: DataStream<string> = connected.process(plain);
  const keyed: ConnectedKeyedStreams<Click, Order, string> = connected.keyBy(
    (click) => click.user,
    (order) => String(order.id),
  );
  const joined: DataStream<string> = keyed.process(keyedFn);
  const bothKeyed: ConnectedKeyedStreams<Click, Order, string> = clicks
    .keyBy((c) => c.user)
    .connect(orders.keyBy((o) => String(o.id)));
  merged.union(joined, bothKeyed.process(keyedFn)).sinkTo(stringSink);
  assert.deepEqual(shape(env.toPlan()), [
    '0:source<',
    '1:source<',
    '2:co-process<0,1',
    '3:keyed-co-process<0,1',
    '4:keyed-co-process<0,1',
    '5:union<2,3,4',
    '6:sink<5',
  ]);
});

test('side outputs are typed by their tag', () => {
  const env = createEnvironment();
  const invalid = outputTag<Click>('invalid');
  const checked = clicksOf(env).process<Click>({
    processElement(click, ctx, out) {
      if (click.page === '') ctx.output(invalid, click);
      else out.collect(click);
      // @ts-expect-error the tag says what the side output holds
      typeOnly(() => ctx.output(invalid, 'not a click'));
    },
  });
  const rejects: DataStream<Click> = checked.getSideOutput(invalid);
  typeOnly(() => {
    // @ts-expect-error a side output of clicks is not a stream of orders
    const wrong: DataStream<Order> = checked.getSideOutput(invalid);
    return wrong;
  });
  rejects.sinkTo(clickSink);
  const sink = env.toPlan().nodes[2];
  assert.deepEqual(sink?.inputs, [
    { from: 1, partitioning: { kind: 'forward' }, port: 0, sideOutput: 'invalid' },
  ]);
});
