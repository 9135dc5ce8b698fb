// The clickstream example end to end: eddy's broker in this process, input produced by kafka-python,
// the job file run as `eddy run` runs it, results read back from the output topics and compared with
// DuckDB's answer over the same input minus the events the job reported late.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrokerHandle } from '../../src/broker/index.ts';
import { runJobFile } from '../../src/cli/run-job-file.ts';
import { createLogger } from '../../src/common/logging.ts';
import { seededRandom } from '../../src/common/random.ts';
import { startEmbeddedBroker } from '../../src/job/index.ts';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { consumeValues } from '../../src/kafka/console.ts';
import { run } from '../../test/compat/support/child-process.ts';
import { findPython } from '../../test/compat/support/python.ts';
import { type OracleEvent, windowAnswer } from '../../test/support/duckdb-oracle.ts';
import type { Click, PageViews, UserMetrics } from './clicks.ts';

const python = findPython('kafka');
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const PAGES = ['/home', '/cart', '/search', '/about'];
const ACTIONS = ['view', 'view', 'click', 'scroll'];

const silent = createLogger({ level: 'silent' });
let broker: BrokerHandle;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eddy-clickstream-'));
  broker = await startEmbeddedBroker({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    durability: 'os',
    logger: silent,
  });
  await withAdmin({ bootstrap: broker.bootstrap }, (admin) => createTopic(admin, 'website-clicks', 1, {}));
});

after(async () => {
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Valid clicks in [from, to) ms, shuffled by up to 4 s (within the 5 s bound), seconds or milliseconds. */
function clicks(rand: () => number, from: number, to: number, count: number): Click[] {
  const out: Click[] = [];
  for (let i = 0; i < count; i++) {
    const ts = from + Math.floor(((to - from) * i) / count);
    const shuffled = Math.max(from, ts - Math.floor(rand() * 4_000));
    const inSeconds = rand() < 0.3;
    out.push({
      user_id: `u${Math.floor(rand() * 6)}`,
      page: PAGES[Math.floor(rand() * PAGES.length)] ?? '/home',
      action: ACTIONS[Math.floor(rand() * ACTIONS.length)] ?? 'view',
      // Seconds lose the milliseconds; keep the event inside its minute either way.
      timestamp: inSeconds ? Math.floor(shuffled / 1000) : shuffled,
    });
  }
  return out;
}

const millis = (c: Click) => (c.timestamp < 1e12 ? c.timestamp * 1000 : c.timestamp);

async function produce(lines: readonly string[]): Promise<void> {
  assert.ok(python);
  const result = await run(
    python,
    [join(import.meta.dirname, '../../test/integration/produce_raw_lines.py')],
    { EDDY_BOOTSTRAP: broker.bootstrap, EDDY_TOPIC: 'website-clicks' },
    30_000,
    `${lines.join('\n')}\n`,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(Number(result.stdout), lines.length);
}

async function readTopic<T>(topic: string, count: number, timeoutMs = 20_000): Promise<T[]> {
  const rows: T[] = [];
  await consumeValues(
    { bootstrap: broker.bootstrap, topic, fromBeginning: true, maxMessages: count, timeoutMs },
    (v) => {
      rows.push(JSON.parse(v ?? 'null') as T);
    },
  );
  return rows;
}

const byWindowKey =
  <T extends { window_start: number }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    a.window_start - b.window_start || key(a).localeCompare(key(b));

test('clickstream: page views and user metrics equal DuckDB, late and bad records routed', {
  skip: python ? false : 'kafka-python not installed',
}, async () => {
  const rand = seededRandom(7);
  // Phase A: three full minutes, a few undecodable records, then one click at minute 3:10 whose
  // watermark (3:05) closes minutes 0-2.
  const phaseA = [
    ...clicks(rand, T0, T0 + 3 * MINUTE, 300),
    { user_id: 'u0', page: '/home', action: 'view', timestamp: T0 + 3 * MINUTE + 10_000 },
  ];
  const bad = [
    'not json',
    '{"user_id": 1, "page": "/x", "action": "view", "timestamp": 5}',
    '{"user_id": "u1", "page": "/x", "action": "view"}',
  ];
  await produce([
    ...phaseA.slice(0, 100).map((c) => JSON.stringify(c)),
    ...bad,
    ...phaseA.slice(100).map((c) => JSON.stringify(c)),
  ]);

  const job = await runJobFile({
    path: join(import.meta.dirname, 'job.ts'),
    flags: {},
    bootstrap: broker.bootstrap,
    embeddedBroker: { dataDir },
    logger: silent,
  });
  try {
    // Wait for minutes 0-2 to be emitted, so what follows for them is late whatever the batching.
    const oracleA = await windowAnswer(
      toOracle(
        phaseA,
        (c) => c.page,
        (c) => (c.action === 'view' ? 1 : 0),
      ),
      { kind: 'tumbling', size: MINUTE },
    );
    const closedA = oracleA.filter((r) => r.end <= T0 + 3 * MINUTE);
    await readTopic<PageViews>('page-views', closedA.length);

    // Phase B: late clicks for minutes 0 and 1, more on-time clicks in minute 3, and one far ahead.
    const late: Click[] = clicks(rand, T0, T0 + 2 * MINUTE, 20);
    const phaseB = [
      ...clicks(rand, T0 + 3 * MINUTE + 10_000, T0 + 4 * MINUTE, 50),
      { user_id: 'u9', page: '/end', action: 'view', timestamp: T0 + 10 * MINUTE },
    ];
    await produce([...late, ...phaseB].map((c) => JSON.stringify(c)));

    const onTime = [...phaseA, ...phaseB];
    const expectedViews = (
      await windowAnswer(
        toOracle(
          onTime,
          (c) => c.page,
          (c) => (c.action === 'view' ? 1 : 0),
        ),
        { kind: 'tumbling', size: MINUTE },
      )
    )
      .filter((r) => r.end <= T0 + 5 * MINUTE)
      .map((r) => ({ page: r.key, window_start: r.start, window_end: r.end, views: r.sum }));
    const expectedUsers = (
      await windowAnswer(
        toOracle(
          onTime,
          (c) => c.user_id,
          (c) => (c.action === 'click' ? 1 : 0),
        ),
        { kind: 'tumbling', size: MINUTE },
      )
    )
      .filter((r) => r.end <= T0 + 5 * MINUTE)
      .map((r) => ({
        user_id: r.key,
        window_start: r.start,
        window_end: r.end,
        events: r.count,
        clicks: r.sum,
      }));

    const pageViews = await readTopic<PageViews>('page-views', expectedViews.length);
    const userMetrics = await readTopic<UserMetrics>('user-metrics', expectedUsers.length);
    const lateEvents = await readTopic<Click>('late-events', late.length);
    const deadLetters = await readTopic<{ error: string; value: string }>('dead-letters', bad.length);

    assert.deepEqual(
      pageViews.sort(byWindowKey((r) => r.page)),
      expectedViews.sort(byWindowKey((r) => r.page)),
    );
    assert.deepEqual(
      userMetrics.sort(byWindowKey((r) => r.user_id)),
      expectedUsers.sort(byWindowKey((r) => r.user_id)),
    );
    assert.deepEqual(lateEvents, late);
    assert.deepEqual(
      deadLetters.map((d) => Buffer.from(d.value, 'base64').toString()),
      bad,
    );
    for (const d of deadLetters) assert.ok(d.error.length > 0);
    // Nothing more than expected was written (each window exactly once).
    assert.equal(
      (await readTopic<PageViews>('page-views', expectedViews.length + 1, 2_000)).length,
      expectedViews.length,
    );
  } finally {
    await job.cancel();
    await job.done.catch(() => undefined);
  }
});

function toOracle(
  input: readonly Click[],
  key: (c: Click) => string,
  value: (c: Click) => number,
): OracleEvent[] {
  return input.map((c) => ({ key: key(c), ts: millis(c), value: value(c) }));
}
