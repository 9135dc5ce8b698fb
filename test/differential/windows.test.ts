// Differential tests of event-time windows: random inputs with out-of-order and late events, run
// through the window operator (harness) and through the whole runtime, compared with DuckDB's batch
// answer over the same input minus the events that must be late, and the late output compared with
// exactly those events. window-events.ts generates the inputs and states the rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collectSink,
  createEnvironment,
  elementsSource,
  OperatorHarness,
  outputTag,
  startJob,
  WatermarkStrategy,
} from '../../src/index.ts';
import type { WindowRow } from '../support/duckdb-oracle.ts';
import {
  type Event,
  expectedFirings,
  expectedLate,
  firingsPerWindow,
  generateEvents,
  lastPerWindow,
  oracleAnswer,
  type Scenario,
  sortRows,
  type WindowShape,
  windowsOf,
} from './window-events.ts';
import { assignerOf, countSum, rowOfElements, tickingClock, toRow } from './window-functions.ts';

type Variant = 'aggregate' | 'elements';

interface Outcome {
  readonly rows: WindowRow[];
  readonly late: Event[];
}

/** One element at a time, each followed by the watermark max-so-far − bound − 1 when it rose. */
async function runHarness(scenario: Scenario, events: readonly Event[], variant: Variant): Promise<Outcome> {
  const late = outputTag<Event>('late');
  const h = await OperatorHarness.forWindow<Event, string, WindowRow>({
    key: (e) => e.key,
    assigner: assignerOf(scenario.shape),
    allowedLateness: scenario.allowedLateness,
    lateOutput: late,
    ...(variant === 'aggregate' ? { aggregate: countSum, process: toRow } : { process: rowOfElements }),
  });
  let max = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    h.processElement(e, e.ts);
    if (e.ts > max) {
      max = e.ts;
      h.processWatermark(max - scenario.bound - 1);
    }
  }
  await h.endInput();
  const output = h.outputWithTimestamps();
  for (const { value, timestamp } of output) assert.equal(timestamp, value.end - 1, 'results carry end - 1');
  const outcome = { rows: output.map((r) => r.value), late: h.sideOutput(late) };
  await h.close();
  return outcome;
}

interface Tally {
  late: number;
  refirings: number;
  windows: number;
}

/** Checks one run against the rules and DuckDB; returns counts that show the case was not trivial. */
async function check(scenario: Scenario, events: readonly Event[], outcome: Outcome, sortLate = false) {
  const label = `seed ${scenario.seed}, ${JSON.stringify(scenario.shape)}, lateness ${scenario.allowedLateness}`;
  const late = expectedLate(events, scenario);
  const lateOut = sortLate ? [...outcome.late].sort((a, b) => a.id - b.id) : outcome.late;
  assert.deepEqual(lateOut, late, `late output, ${label}`);
  const lateIds = new Set(late.map((e) => e.id));
  const answer = await oracleAnswer(
    events.filter((e) => !lateIds.has(e.id)),
    scenario.shape,
  );
  const tally: Tally = {
    late: late.length,
    refirings: outcome.rows.length - answer.length,
    windows: answer.length,
  };
  if (scenario.shape.kind === 'session') {
    // A session fires once: no element here can reach a session after the watermark passed its end.
    assert.deepEqual(sortRows(outcome.rows), answer, `sessions, ${label}`);
    return tally;
  }
  assert.deepEqual(lastPerWindow(outcome.rows), answer, `last result per window, ${label}`);
  const firings = (m: Map<string, WindowRow[]>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  assert.deepEqual(
    firings(firingsPerWindow(outcome.rows)),
    firings(expectedFirings(events, scenario)),
    `every firing, ${label}`,
  );
  return tally;
}

const SEEDS = Array.from({ length: 12 }, (_, i) => 1000 + i * 7919);

const base = { bound: 20, events: 300, keys: 3, startTime: 10_000, lateShare: 0.1 };
const harnessCases: (Omit<Scenario, 'seed'> & { readonly name: string })[] = [
  { name: 'tumbling', ...base, shape: { kind: 'tumbling', size: 100, offset: 0 }, allowedLateness: 0 },
  {
    name: 'tumbling with an offset, negative times and allowed lateness',
    ...base,
    shape: { kind: 'tumbling', size: 100, offset: 30 },
    startTime: -1_500,
    allowedLateness: 50,
  },
  {
    name: 'tumbling with a negative offset and negative times',
    ...base,
    shape: { kind: 'tumbling', size: 90, offset: -45 },
    startTime: -2_000,
    allowedLateness: 0,
  },
  {
    name: 'sliding',
    ...base,
    shape: { kind: 'sliding', size: 120, slide: 40, offset: 0 },
    allowedLateness: 0,
  },
  {
    name: 'sliding with an offset, negative times and allowed lateness',
    ...base,
    shape: { kind: 'sliding', size: 120, slide: 40, offset: 15 },
    startTime: -1_000,
    allowedLateness: 60,
  },
  { name: 'sessions', ...base, shape: { kind: 'session', gap: 40 }, allowedLateness: 0 },
  {
    name: 'sessions with negative times and allowed lateness',
    ...base,
    shape: { kind: 'session', gap: 40 },
    startTime: -3_000,
    allowedLateness: 100,
  },
];

for (const { name, ...params } of harnessCases) {
  test(`harness: ${name} match DuckDB, late elements go exactly to the late output`, async () => {
    const total: Tally = { late: 0, refirings: 0, windows: 0 };
    for (const seed of SEEDS) {
      const scenario = { ...params, seed };
      const events = generateEvents(scenario);
      for (const variant of ['aggregate', 'elements'] as const) {
        const tally = await check(scenario, events, await runHarness(scenario, events, variant));
        total.late += tally.late;
        total.refirings += tally.refirings;
        total.windows += tally.windows;
      }
    }
    // The inputs must exercise what is claimed: late events, and re-firings when lateness is allowed.
    assert.ok(total.late > SEEDS.length * 10, `late events: ${total.late}`);
    assert.ok(total.windows > SEEDS.length * 20, `windows: ${total.windows}`);
    if (params.allowedLateness > 0 && params.shape.kind !== 'session')
      assert.ok(total.refirings > SEEDS.length * 2, `re-firings: ${total.refirings}`);
  });
}

test('harness: an element late for its older sliding window only is counted in the newer one, not late', async () => {
  const scenario: Scenario = {
    ...base,
    bound: 20,
    seed: 0,
    shape: { kind: 'sliding', size: 10, slide: 5, offset: 0 },
    allowedLateness: 0,
  };
  const ev = (id: number, ts: number): Event => ({ id, key: 'a', ts, value: id });
  for (const variant of ['aggregate', 'elements'] as const) {
    // bound 20: the watermark after ts 30 is 9, so [0, 10) has fired when ts 7 arrives; [5, 15) has not.
    const outcome = await runHarness(scenario, [ev(1, 8), ev(2, 30), ev(3, 7)], variant);
    assert.deepEqual(outcome.late, [], variant);
    assert.deepEqual(
      sortRows(outcome.rows).map((r) => [r.start, r.end, r.count, r.sum]),
      [
        [0, 10, 1, 1],
        [5, 15, 2, 4],
        [25, 35, 1, 2],
        [30, 40, 1, 2],
      ],
      variant,
    );
  }
});

test('the oracle helper shifts windows by their offset', async () => {
  const rows = await oracleAnswer([{ id: 0, key: 'a', ts: 2, value: 5 }], {
    kind: 'tumbling',
    size: 10,
    offset: 3,
  });
  assert.deepEqual(rows, [{ key: 'a', start: -7, end: 3, count: 1, sum: 5 }]);
  assert.deepEqual(windowsOf(2, { kind: 'tumbling', size: 10, offset: 3 }), [{ start: -7, end: 3 }]);
});

interface JobShape {
  readonly parallelism: number;
  readonly sourceParallelism: number;
}

async function runJob(scenario: Scenario, events: readonly Event[], shape: JobShape): Promise<Outcome> {
  const env = createEnvironment({
    parallelism: shape.parallelism,
    batchSize: 1,
    watermarkInterval: 1,
    clock: tickingClock(),
  });
  const late = outputTag<Event>('late');
  const rows: WindowRow[] = [];
  const lateOut: Event[] = [];
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Event>(scenario.bound).withTimestampAssigner(
    (e) => e.ts,
  );
  const results = env
    .fromSource(elementsSource([...events]), strategy, 'events', { parallelism: shape.sourceParallelism })
    .keyBy((e) => e.key)
    .window(assignerOf(scenario.shape))
    .allowedLateness(scenario.allowedLateness)
    .sideOutputLateData(late)
    .aggregate(countSum, toRow);
  results.sinkTo(collectSink(rows));
  results.getSideOutput(late).sinkTo(collectSink(lateOut));
  const result = await startJob(env.toPlan()).done;
  assert.equal(result.status, 'finished');
  return { rows, late: lateOut };
}

const runtimeShapes: WindowShape[] = [
  { kind: 'tumbling', size: 100, offset: 30 },
  { kind: 'sliding', size: 120, slide: 40, offset: 0 },
  { kind: 'session', gap: 40 },
];
const RUNTIME_SEEDS = SEEDS.slice(0, 3);

for (const shape of runtimeShapes) {
  // One source subtask feeds every window subtask through one channel each, so every element meets
  // exactly the watermark that followed the element before it: lateness is deterministic.
  for (const parallelism of [1, 2]) {
    test(`runtime: ${shape.kind} at parallelism ${parallelism} (one source subtask) with late events`, async () => {
      let late = 0;
      for (const seed of RUNTIME_SEEDS) {
        const lateness = shape.kind === 'session' ? 0 : 50;
        const scenario: Scenario = { ...base, seed, shape, allowedLateness: lateness, startTime: -500 };
        const events = generateEvents(scenario);
        const outcome = await runJob(scenario, events, { parallelism, sourceParallelism: 1 });
        late += (await check(scenario, events, outcome, parallelism > 1)).late;
      }
      assert.ok(late > 0, 'the late output was empty');
    });
  }

  // Two source subtasks: a window subtask's watermark is the minimum of theirs, and how far one runs
  // ahead of the other depends on scheduling. An element within the bound of the whole input is
  // within the bound of its own subtask's watermark, which is never below the window's, so inputs
  // without late events give the same answer however the subtasks interleave.
  test(`runtime: ${shape.kind} at parallelism 2 (two source subtasks) without late events`, async () => {
    for (const seed of RUNTIME_SEEDS) {
      const scenario: Scenario = { ...base, seed, shape, allowedLateness: 0, lateShare: 0 };
      const events = generateEvents(scenario);
      const outcome = await runJob(scenario, events, { parallelism: 2, sourceParallelism: 2 });
      assert.deepEqual(outcome.late, []);
      await check(scenario, events, outcome);
    }
  });
}
