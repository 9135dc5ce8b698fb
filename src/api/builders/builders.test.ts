import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimeWindow, Trigger } from '../../plan/windows.ts';
import { CountEvictor, customEvictor, TimeEvictor } from './evictors.ts';
import {
  aggregatingState,
  listState,
  mapState,
  reducingState,
  ttl,
  valueState,
} from './state-descriptors.ts';
import { Time } from './time.ts';
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountTrigger,
  customTrigger,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  PurgingTrigger,
} from './triggers.ts';
import {
  describeAssigner,
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from './window-assigners.ts';

const invalid = (message: RegExp) => ({ code: 'ENG_INVALID_ARGUMENT', message });

test('Time converts to milliseconds', () => {
  assert.equal(Time.milliseconds(250), 250);
  assert.equal(Time.seconds(5), 5_000);
  assert.equal(Time.minutes(1.5), 90_000);
  assert.equal(Time.hours(2), 7_200_000);
  assert.equal(Time.days(1), 86_400_000);
  assert.throws(
    () => Time.seconds(Number.POSITIVE_INFINITY),
    invalid(/Time.seconds\(\) needs a finite number/),
  );
});

test('window assigners describe tumbling, sliding, session and global windows', () => {
  assert.deepEqual(TumblingEventTimeWindows.of(60_000), {
    kind: 'tumbling',
    time: 'event',
    size: 60_000,
    offset: 0,
  });
  assert.deepEqual(TumblingProcessingTimeWindows.of(1_000, -500), {
    kind: 'tumbling',
    time: 'processing',
    size: 1_000,
    offset: -500,
  });
  assert.deepEqual(SlidingEventTimeWindows.of(10_000, 1_000, 500), {
    kind: 'sliding',
    time: 'event',
    size: 10_000,
    slide: 1_000,
    offset: 500,
  });
  assert.deepEqual(SlidingProcessingTimeWindows.of(10, 5), {
    kind: 'sliding',
    time: 'processing',
    size: 10,
    slide: 5,
    offset: 0,
  });
  assert.deepEqual(EventTimeSessionWindows.withGap(30_000), { kind: 'session', time: 'event', gap: 30_000 });
  const gap = (n: number) => n;
  assert.deepEqual(ProcessingTimeSessionWindows.withDynamicGap(gap), {
    kind: 'session',
    time: 'processing',
    gap,
  });
  assert.deepEqual(GlobalWindows.create(), { kind: 'global' });
  assert.equal(
    describeAssigner(SlidingEventTimeWindows.of(10_000, 1_000)),
    'SlidingEventTimeWindows(10000, 1000)',
  );
  assert.equal(
    describeAssigner(ProcessingTimeSessionWindows.withDynamicGap(gap)),
    'ProcessingTimeSessionWindows(dynamic gap)',
  );
});

test('window assigners reject sizes, slides, gaps and offsets that make no windows', () => {
  assert.throws(
    () => TumblingEventTimeWindows.of(0),
    invalid(/TumblingEventTimeWindows size must be a whole number above 0, got 0/),
  );
  assert.throws(
    () => TumblingEventTimeWindows.of(1.5),
    invalid(/size must be a whole number above 0, got 1.5/),
  );
  assert.throws(
    () => TumblingEventTimeWindows.of(1_000, 1_000),
    invalid(/offset must be a whole number of ms with \|offset\| < size \(1000\), got 1000/),
  );
  assert.throws(
    () => SlidingEventTimeWindows.of(1_000, -1),
    invalid(/SlidingEventTimeWindows slide must be a whole number above 0/),
  );
  assert.throws(
    () => SlidingProcessingTimeWindows.of(1_000, 100, 100),
    invalid(/\|offset\| < slide \(100\)/),
  );
  assert.throws(
    () => EventTimeSessionWindows.withGap(0),
    invalid(/EventTimeSessionWindows gap must be a whole number above 0/),
  );
  assert.throws(
    () => EventTimeSessionWindows.withDynamicGap(5 as never),
    invalid(/dynamic gap must be a function/),
  );
});

test('triggers and evictors', () => {
  assert.deepEqual(EventTimeTrigger.create(), { kind: 'event-time' });
  assert.deepEqual(ProcessingTimeTrigger.create(), { kind: 'processing-time' });
  assert.deepEqual(CountTrigger.of(3), { kind: 'count', count: 3 });
  assert.deepEqual(ContinuousEventTimeTrigger.of(1_000), {
    kind: 'continuous',
    time: 'event',
    interval: 1_000,
  });
  assert.deepEqual(ContinuousProcessingTimeTrigger.of(5), {
    kind: 'continuous',
    time: 'processing',
    interval: 5,
  });
  assert.deepEqual(PurgingTrigger.of(CountTrigger.of(2)), {
    kind: 'purging',
    inner: { kind: 'count', count: 2 },
  });
  const trigger: Trigger<number> = {
    onElement: () => 'fire',
    onEventTime: () => 'continue',
    onProcessingTime: () => 'continue',
    clear: () => {},
  };
  assert.deepEqual(customTrigger(trigger), { kind: 'custom', trigger });

  assert.deepEqual(CountEvictor.of(10), { kind: 'count', max: 10 });
  assert.deepEqual(CountEvictor.of(10, { after: true }), { kind: 'count', max: 10, after: true });
  assert.deepEqual(TimeEvictor.of(1_000), { kind: 'time', keep: 1_000 });
  const evictor = { evictBefore: <T>(elements: T[], _window: TimeWindow) => elements };
  assert.deepEqual(customEvictor(evictor), { kind: 'custom', evictor });

  assert.throws(
    () => CountTrigger.of(0),
    invalid(/CountTrigger count must be a whole number above 0, got 0/),
  );
  assert.throws(() => ContinuousEventTimeTrigger.of(-5), invalid(/ContinuousEventTimeTrigger interval/));
  assert.throws(
    () => PurgingTrigger.of(undefined as never),
    invalid(/PurgingTrigger.of\(\) needs a trigger/),
  );
  assert.throws(
    () => customTrigger({ onElement: () => 'fire' } as never),
    invalid(/custom trigger has no onEventTime\(\) method/),
  );
  assert.throws(() => CountEvictor.of(0), invalid(/CountEvictor max/));
  assert.throws(() => TimeEvictor.of(Number.NaN), invalid(/TimeEvictor keep/));
  assert.throws(() => customEvictor({}), invalid(/evictBefore\(\) or evictAfter\(\)/));
});

test('state descriptors carry their name, options and functions', () => {
  const day = ttl(Time.days(1), { updateOn: 'read-and-write' });
  assert.deepEqual(day, { ttl: 86_400_000, updateOn: 'read-and-write' });
  assert.deepEqual(valueState<number>('count', { defaultValue: 0, ttl: day }), {
    kind: 'value',
    name: 'count',
    ttl: day,
    defaultValue: 0,
  });
  assert.deepEqual(valueState<number>('plain'), { kind: 'value', name: 'plain' });
  assert.deepEqual(listState<string>('seen'), { kind: 'list', name: 'seen' });
  assert.deepEqual(mapState<string, number>('per-page', { ttl: ttl(1_000) }), {
    kind: 'map',
    name: 'per-page',
    ttl: { ttl: 1_000 },
  });
  const max = reducingState<number>('max', Math.max);
  assert.equal(max.reduce(2, 5), 5);
  const average = aggregatingState('avg', {
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (value: number, acc: { sum: number; n: number }) => ({ sum: acc.sum + value, n: acc.n + 1 }),
    getResult: (acc: { sum: number; n: number }) => acc.sum / acc.n,
  });
  assert.equal(average.kind, 'aggregating');
  assert.equal(
    average.aggregate.getResult(average.aggregate.add(4, average.aggregate.createAccumulator())),
    4,
  );

  assert.throws(() => valueState(''), invalid(/a state name must be a non-empty string/));
  assert.throws(() => ttl(0), invalid(/state ttl must be a whole number above 0/));
  assert.throws(() => ttl(5, { visibility: 'sometimes' as never }), invalid(/ttl visibility must be/));
  assert.throws(() => ttl(5, { updateOn: 'never' as never }), invalid(/ttl updateOn must be/));
  assert.throws(
    () => reducingState('r', undefined as never),
    invalid(/reduce function of state "r" must be a function/),
  );
  assert.throws(
    () => aggregatingState('a', { add: () => 0 } as never),
    invalid(/aggregate function of state "a" has no createAccumulator\(\)/),
  );
  assert.throws(() => listState('l', { ttl: { ttl: 1.5 } }), invalid(/ttl that is not a whole number/));
});
