// The two golden pipelines of the savepoint round-trip tests, over one generated, phased input.
//
// Input: datagen index i belongs to phase p = floor(i / 10). Slots 0..2 of a phase are fillers,
// dropped right after the source; slots 3..9 are real events. The driver (stepped-run.ts) releases one
// phase per ManualClock step and the source checks its watermark once per step, so every run — fresh,
// resumed, at any parallelism — sees the same real events between the same watermarks. A restored
// datagen emits one element at open, before the first step, which moves the phase boundaries one
// element later per resume; the fillers absorb that for up to FILLERS - 1 resumes in a row.
import {
  createEnvironment,
  type DataStream,
  datagenSource,
  EventTimeSessionWindows,
  type JobPlan,
  type KeyedProcessFunction,
  type ManualClock,
  outputTag,
  RestartStrategies,
  type SinkDescriptor,
  type StreamEnvironment,
  TumblingEventTimeWindows,
  type ValueState,
  valueState,
  WatermarkStrategy,
} from '../../src/index.ts';

export const PHASES = 40;
export const PER_PHASE = 10;
export const TOTAL = PHASES * PER_PHASE;
/** Clock ms per phase; equal to the watermark interval so each step checks the watermark once. */
export const STEP_MS = 10;
export const FILLERS = 3;
const BOUND = 50;

export interface Event {
  readonly i: number;
  readonly key: string;
  readonly ts: number;
  readonly amount: number;
  readonly filler: boolean;
}

/** Every phase has each of k0..k6 once (sessions open and close), one of them out of order within the bound, or 700 ms late in every fifth phase. */
export function eventAt(i: number): Event {
  const phase = Math.floor(i / PER_PHASE);
  const slot = i % PER_PHASE;
  const base = 10_000 + phase * 100;
  if (slot < FILLERS) return { i, key: 'filler', ts: base, amount: 0, filler: true };
  const key = `k${(phase * 3 + slot) % 7}`;
  const amount = (i % 13) + 1;
  if (slot < 9) return { i, key, ts: base + (slot - FILLERS) * 15, amount, filler: false };
  return { i, key, ts: phase % 5 === 4 ? base - 700 : base - 30, amount, filler: false };
}

/** How far the generator got in this run: the driver waits on it before each step. */
export interface Progress {
  next: number;
}

export interface PipelineOptions {
  readonly parallelism: number;
  readonly backend: 'heap' | 'lmdb';
  readonly clock: ManualClock;
  readonly progress: Progress;
  readonly sink: SinkDescriptor<string>;
  /** Periodic checkpoints every this many wall-clock ms; none without it. */
  readonly checkpointEvery?: number;
  /** Pipeline (a) without its rolling-sum branch (a plan change that drops a stateful operator). */
  readonly withoutRollingSum?: boolean;
}

function environment(name: string, options: PipelineOptions): StreamEnvironment {
  const env = createEnvironment({
    jobName: name,
    parallelism: options.parallelism,
    clock: options.clock,
    watermarkInterval: STEP_MS,
    stateBackend: options.backend === 'heap' ? 'heap' : { kind: 'lmdb' },
  });
  if (options.checkpointEvery !== undefined) env.enableCheckpointing(options.checkpointEvery);
  // A failure must fail the test, not restart silently from a checkpoint.
  env.setRestartStrategy(RestartStrategies.none());
  return env;
}

function realEvents(env: StreamEnvironment, progress: Progress): DataStream<Event> {
  const generate = (i: number): Event => {
    progress.next = Math.max(progress.next, i + 1);
    return eventAt(i);
  };
  return env
    .fromSource(
      datagenSource({ generate, count: TOTAL, rate: (PER_PHASE * 1000) / STEP_MS }),
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(BOUND).withTimestampAssigner((e) => e.ts),
      'events',
    )
    .uid('events')
    .setParallelism(1) // a datagen resumes part-way only at the parallelism it was stopped at
    .filter((e) => !e.filler)
    .uid('real-events')
    .setParallelism(1); // chained to the source, so each key's events keep their order into keyBy
}

interface Tally {
  readonly n: number;
  readonly total: number;
}

/** Keyed ValueState plus an event-time timer at the end of each 200 ms slice the key was seen in. */
function tallyFunction(): KeyedProcessFunction<string, Event, string> {
  let tally: ValueState<Tally>;
  return {
    open(ctx) {
      tally = ctx.state.getState(valueState<Tally>('tally'));
    },
    processElement(e, ctx, out) {
      const before = tally.value() ?? { n: 0, total: 0 };
      const next = { n: before.n + 1, total: before.total + e.amount };
      tally.update(next);
      out.collect(`seen|${ctx.key}|${e.i}|${next.n}|${next.total}`);
      ctx.timerService.registerEventTimeTimer(Math.floor(e.ts / 200) * 200 + 199);
    },
    onTimer(timestamp, ctx, out) {
      const now = tally.value();
      out.collect(`timer|${ctx.key}|${timestamp}|${now?.n}|${now?.total}`);
    },
  };
}

/**
 * (a) keyBy → rolling sum, and keyBy → KeyedProcessFunction with ValueState and event-time timers.
 *
 * @example
 * startJob(keyedAggregation({ parallelism: 1, backend: 'heap', clock, progress, sink: collectSink(out) }))
 */
export function keyedAggregation(options: PipelineOptions): JobPlan {
  const env = environment('golden-keyed', options);
  const events = realEvents(env, options.progress);
  const tallies = events
    .keyBy((e) => e.key)
    .process<string>(tallyFunction())
    .uid('tally');
  const lines = options.withoutRollingSum
    ? tallies
    : tallies.union(
        events
          .keyBy((e) => e.key)
          .sum('amount')
          .uid('rolling-sum')
          .map((e) => `sum|${e.key}|${e.amount}`)
          .uid('sum-lines'),
      );
  lines.sinkTo(options.sink).uid('out');
  return env.toPlan();
}

/**
 * (b) event-time tumbling (300 ms, sum) and session (gap 100 ms) windows, each with a late side output.
 *
 * @example
 * startJob(eventTimeWindows({ parallelism: 2, backend: 'lmdb', clock, progress, sink: collectSink(out) }))
 */
export function eventTimeWindows(options: PipelineOptions): JobPlan {
  const env = environment('golden-windows', options);
  const events = realEvents(env, options.progress);
  const lateTumbling = outputTag<Event>('late-tumbling');
  const lateSession = outputTag<Event>('late-session');
  const tumbling = events
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(300))
    .sideOutputLateData(lateTumbling)
    .sum('amount')
    .uid('tumbling');
  const sessions = events
    .keyBy((e) => e.key)
    .window(EventTimeSessionWindows.withGap(100))
    .sideOutputLateData(lateSession)
    .process<string>({
      process(key, ctx, elements, out) {
        const list = [...elements];
        const sum = list.reduce((s, e) => s + e.amount, 0);
        out.collect(`session|${key}|${ctx.window.start}|${ctx.window.end}|${list.length}|${sum}`);
      },
    })
    .uid('sessions');
  tumbling
    .map((e) => `tumble|${e.key}|${Math.floor(e.ts / 300) * 300}|${e.amount}`)
    .uid('tumble-lines')
    .union(
      sessions,
      tumbling
        .getSideOutput(lateTumbling)
        .map((e) => `late-tumble|${e.key}|${e.i}`)
        .uid('late-tumble-lines'),
      sessions
        .getSideOutput(lateSession)
        .map((e) => `late-session|${e.key}|${e.i}`)
        .uid('late-session-lines'),
    )
    .sinkTo(options.sink)
    .uid('out');
  return env.toPlan();
}
