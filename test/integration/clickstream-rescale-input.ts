// The input and the expected answer of clickstream-rescale.test.ts: seeded clicks on every partition of
// `website-clicks`, DuckDB's windows over them, and the job's output topics read back read_committed.
import type { Click, PageViews, UserMetrics } from '../../examples/clickstream/clicks.ts';
import type { Random } from '../../src/common/random.ts';
import { readTopic } from '../chaos/read-back.ts';
import { type OracleEvent, type WindowRow, windowAnswer } from '../support/duckdb-oracle.ts';
import type { TestRecord } from './connector-kafka-helpers.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
/** The clickstream job's out-of-orderness bound. */
const BOUND = 5_000;
/** How far a click may go back behind its partition's latest one: under BOUND, so none is late. */
const SHUFFLE = 3_000;
const PAGES = ['/home', '/cart', '/search', '/about', '/blog', '/docs'];
const ACTIONS = ['view', 'view', 'click', 'scroll'];
const USERS = 15;

export const PARTITIONS = 4;

/** What the test sends, in order, and what it amounts to. */
export interface ClickInput {
  /** Phase 1, in chunks sent one after another while the checkpointed run reads. */
  readonly phase1: readonly TestRecord[][];
  /** Phase 2, sent once the checkpointed run was cancelled. */
  readonly phase2: readonly TestRecord[];
  readonly clicks: readonly Click[];
  /** Records that are not clicks: the job sends them to its dead-letter topic. */
  readonly bad: readonly string[];
  /** Where the watermark ends up: the least over partitions of their latest click, minus BOUND. */
  readonly finalWatermark: number;
}

/** Everything one run wrote, as sorted comparable lines. */
export interface RunOutput {
  readonly views: string[];
  readonly users: string[];
  readonly late: string[];
  readonly dead: string[];
}

/**
 * Clicks on each partition, `perPhase` per partition and phase: phase 1 spans minutes 0-6, phase 2
 * minutes 6-12 and a little more. Timestamps rise on every partition but each goes back by up to
 * SHUFFLE, so events are out of order yet never late, whatever subtask reads the partition.
 *
 * @example const input = clickInput(seededRandom(1), 400);
 */
export function clickInput(rand: Random, perPhase: number): ClickInput {
  // Where the records that are not clicks go: [phase, partition, after click i, value]. Phase 1 has one
  // in each of its chunks, phase 2 one.
  const badPlaces: [number, number, number, string][] = [
    [0, 0, 0, 'not json'],
    [0, 1, Math.floor(perPhase / 2), '{"user_id":"u1","page":"/x","action":"view"}'],
    [0, 2, Math.floor((perPhase * 5) / 6), '{"user_id":7,"page":"/x","action":"view","timestamp":5}'],
    [1, 3, Math.floor(perPhase / 4), '[]'],
  ];
  const spans = [
    [T0, T0 + 6 * MINUTE],
    [T0 + 6 * MINUTE, T0 + 12 * MINUTE + 40_000],
  ] as const;
  const clicks: Click[] = [];
  const latest: number[] = [];
  // [phase][partition] -> values in the order they are sent
  const values: string[][][] = spans.map(([from, to], phase) =>
    Array.from({ length: PARTITIONS }, (_, partition) => {
      const out: string[] = [];
      for (let i = 0; i < perPhase; i++) {
        const ts = from + Math.floor(((to - from) * i) / perPhase);
        const click: Click = {
          user_id: `u${Math.floor(rand() * USERS)}`,
          page: PAGES[Math.floor(rand() * PAGES.length)] ?? '/home',
          action: ACTIONS[Math.floor(rand() * ACTIONS.length)] ?? 'view',
          timestamp: Math.max(T0, ts - Math.floor(rand() * SHUFFLE)),
        };
        clicks.push(click);
        latest[partition] = Math.max(latest[partition] ?? 0, click.timestamp);
        out.push(JSON.stringify(click));
        for (const [p, q, at, value] of badPlaces)
          if (p === phase && q === partition && at === i) out.push(value);
      }
      return out;
    }),
  );
  const records = (phase: number, from: number, to: number): TestRecord[] =>
    (values[phase] ?? []).flatMap((partitionValues, partition) =>
      partitionValues.slice(from, to).map((value) => ({ partition, value })),
    );
  // Cut at click counts, so each chunk holds a third of every partition's phase-1 span.
  const third = Math.ceil((perPhase + 1) / 3);
  return {
    phase1: [0, 1, 2].map((k) => records(0, k * third, (k + 1) * third)),
    phase2: records(1, 0, Number.POSITIVE_INFINITY),
    clicks,
    bad: badPlaces.map(([, , , value]) => value),
    finalWatermark: Math.min(...latest) - BOUND,
  };
}

/** DuckDB's answer: the windows closed by the final watermark, no late clicks, every bad record. */
export async function expectedOutput(input: ClickInput): Promise<RunOutput> {
  const events = (key: (c: Click) => string, value: (c: Click) => number): OracleEvent[] =>
    input.clicks.map((c) => ({ key: key(c), ts: c.timestamp, value: value(c) }));
  const closed = (rows: WindowRow[]) => rows.filter((r) => r.end <= input.finalWatermark);
  const tumbling = { kind: 'tumbling', size: MINUTE } as const;
  const views = await windowAnswer(
    events(
      (c) => c.page,
      (c) => (c.action === 'view' ? 1 : 0),
    ),
    tumbling,
  );
  const users = await windowAnswer(
    events(
      (c) => c.user_id,
      (c) => (c.action === 'click' ? 1 : 0),
    ),
    tumbling,
  );
  return {
    views: closed(views)
      .map((r) => viewsLine({ page: r.key, window_start: r.start, window_end: r.end, views: r.sum }))
      .sort(),
    users: closed(users)
      .map((r) =>
        usersLine({
          user_id: r.key,
          window_start: r.start,
          window_end: r.end,
          events: r.count,
          clicks: r.sum,
        }),
      )
      .sort(),
    late: [],
    dead: [...input.bad].sort(),
  };
}

/** The job's flags that send one run's results to its own topics. */
export function outputFlags(run: string): Record<string, string> {
  return {
    'page-views-topic': `page-views-${run}`,
    'user-metrics-topic': `user-metrics-${run}`,
    'late-topic': `late-events-${run}`,
    'dead-letter-topic': `dead-letters-${run}`,
  };
}

/** What a read_committed reader sees of one run's topics now. */
export async function readOutput(bootstrap: string, run: string): Promise<RunOutput> {
  const read = async (topic: string) =>
    (await readTopic(bootstrap, `${topic}-${run}`, { readCommitted: true })).map((r) => r.value);
  return {
    views: (await read('page-views')).map((v) => viewsLine(JSON.parse(v) as PageViews)).sort(),
    users: (await read('user-metrics')).map((v) => usersLine(JSON.parse(v) as UserMetrics)).sort(),
    late: (await read('late-events')).sort(),
    dead: (await read('dead-letters'))
      .map((v) => Buffer.from((JSON.parse(v) as { value: string }).value, 'base64').toString())
      .sort(),
  };
}

function viewsLine(row: PageViews): string {
  return `${row.page} [${row.window_start}, ${row.window_end}) views=${row.views}`;
}

function usersLine(row: UserMetrics): string {
  return `${row.user_id} [${row.window_start}, ${row.window_end}) events=${row.events} clicks=${row.clicks}`;
}
