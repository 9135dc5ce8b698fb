// Exactly-once under kill -9: the clickstream example consumes from eddy's broker and writes with Kafka
// transactions while a driver produces a known input. The job process is killed with SIGKILL at random
// moments and started again with the same command; the broker (fsync mode) is killed a few times too.
// Afterwards a read_committed reader must find every window result exactly once and equal to DuckDB's
// answer over the input, and every late and undecodable input record exactly once in its own topic.
//
// EDDY_CHAOS_JOB_KILLS (default 20) and EDDY_CHAOS_BROKER_KILLS (default 2) set the numbers; the
// longer run in docs/internals/exactly-once-chaos.md uses 100.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import type { Click, PageViews, UserMetrics } from '../../examples/clickstream/clicks.ts';
import { type EddyProcess, startEddy } from '../../src/cli/testing-support/eddy-child.ts';
import { seededRandom } from '../../src/common/random.ts';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { kcatMissing } from '../compat/kcat/kcat.ts';
import { type OracleEvent, windowAnswer } from '../support/duckdb-oracle.ts';
import { type BrokerProcess, freePort, killHard, startBrokerProcess } from './broker-process.ts';
import { readTopic } from './read-back.ts';

const JOB_KILLS = Number(process.env.EDDY_CHAOS_JOB_KILLS ?? 20);
const BROKER_KILLS = Number(process.env.EDDY_CHAOS_BROKER_KILLS ?? 2);
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const JOB = new URL('../../examples/clickstream/job.ts', import.meta.url).pathname;
const USERS = 12;
const PAGES = ['/home', '/cart', '/search', '/about', '/blog'];
const ACTIONS = ['view', 'view', 'click', 'scroll'];

interface Run {
  broker: BrokerProcess;
  job: EddyProcess;
  readonly brokerDir: string;
  readonly stateDir: string;
  readonly port: number;
}

function startJob(run: Run): EddyProcess {
  return startEddy(
    [
      '--log-level',
      process.env.EDDY_CHAOS_LOG_LEVEL ?? 'warn',
      'run',
      JOB,
      '--bootstrap',
      `127.0.0.1:${run.port}`,
      '--job-id',
      'chaos-clicks',
      '--state-dir',
      run.stateDir,
      '--checkpoint-interval',
      '300ms',
    ],
    { env: {} },
  );
}

async function killJob(run: Run): Promise<void> {
  run.job.kill('SIGKILL');
  await run.job.exited.catch(() => undefined);
}

/** Sends until the broker acknowledges (acks=all), retrying through broker restarts. */
async function sendAll(
  producer: Producer<string, string, string, string>,
  values: readonly string[],
  stop: () => boolean,
) {
  for (;;) {
    try {
      await producer.send({
        messages: values.map((value, i) => ({ topic: 'website-clicks', value, partition: i % 2 })),
      });
      return;
    } catch (error) {
      if (stop()) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Windows (page, start) visible to a read_committed reader. */
async function committedPageWindows(bootstrap: string): Promise<Set<number>> {
  const rows = await readTopic(bootstrap, 'page-views', { readCommitted: true }).catch(() => []);
  return new Set(rows.map((r) => (JSON.parse(r.value) as PageViews).window_start));
}

const millis = (c: Click) => (c.timestamp < 1e12 ? c.timestamp * 1000 : c.timestamp);

test(`clickstream exactly-once through ${JOB_KILLS} job kills and ${BROKER_KILLS} broker kills`, {
  skip: kcatMissing() ?? false,
  timeout: 900_000,
}, async () => {
  const brokerDir = await mkdtemp(join(tmpdir(), 'eddy-chaos-broker-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'eddy-chaos-state-'));
  const port = await freePort();
  const run: Run = {
    brokerDir,
    stateDir,
    port,
    broker: await startBrokerProcess(brokerDir, port, 'fsync'),
    job: undefined as never,
  };
  const bootstrap = run.broker.bootstrap;
  const producer = new Producer({
    clientId: 'chaos-driver',
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    retries: 20,
    retryDelay: 200,
  });
  const rand = seededRandom(20261122);
  let stopped = false;
  try {
    await withAdmin({ bootstrap }, async (admin) => {
      await createTopic(admin, 'website-clicks', 2, {});
      for (const topic of ['page-views', 'user-metrics', 'late-events', 'dead-letters'])
        await createTopic(admin, topic, 1, {});
    });
    run.job = startJob(run);

    // The killer: SIGKILL the job at random moments and start it again; now and then the broker too.
    let jobKills = 0;
    let brokerKills = 0;
    const killer = (async () => {
      while (jobKills < JOB_KILLS) {
        await new Promise((resolve) => setTimeout(resolve, 300 + rand() * 1500));
        await killJob(run);
        jobKills++;
        if (brokerKills < BROKER_KILLS && jobKills % Math.ceil(JOB_KILLS / (BROKER_KILLS + 1)) === 0) {
          await killHard(run.broker);
          run.broker = await startBrokerProcess(brokerDir, port, 'fsync');
          brokerKills++;
        }
        run.job = startJob(run);
      }
    })();

    // The driver: one simulated minute of clicks at a time, out of order within 4 s, seconds or ms;
    // undecodable records now and then; and, for windows a read_committed reader already sees, late
    // clicks numbered per user (`late-<n>` in action) so each can be found exactly once in the output.
    const lateSeq = new Map<string, number>();
    let minute = 0;
    // After the kills, go on until some windows were visible and late clicks went out for them (a loaded
    // machine may restart the job too slowly to commit any window while it is being killed).
    while ((jobKills < JOB_KILLS || minute < 12 || lateSeq.size === 0) && minute < 400) {
      const batch: string[] = [];
      for (let i = 0; i < 40; i++) {
        const ts = T0 + minute * MINUTE + Math.floor((i * MINUTE) / 40);
        const shuffled = Math.max(T0 + minute * MINUTE, ts - Math.floor(rand() * 4_000));
        batch.push(
          JSON.stringify({
            user_id: `u${Math.floor(rand() * USERS)}`,
            page: PAGES[Math.floor(rand() * PAGES.length)],
            action: ACTIONS[Math.floor(rand() * ACTIONS.length)],
            timestamp: rand() < 0.3 ? Math.floor(shuffled / 1000) : shuffled,
          }),
        );
      }
      if (minute % 3 === 1) batch.push(`{"broken": ${minute}`);
      const closed = minute >= 3 ? await committedPageWindows(run.broker.bootstrap) : new Set<number>();
      for (const start of [...closed].slice(0, 2)) {
        const user = `u${Math.floor(rand() * USERS)}`;
        const n = lateSeq.get(user) ?? 0;
        lateSeq.set(user, n + 1);
        batch.push(
          JSON.stringify({ user_id: user, page: '/late', action: `late-${n}`, timestamp: start + 1_000 }),
        );
      }
      await sendAll(producer, batch, () => stopped);
      minute++;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await killer;
    // One click far ahead on each partition closes every window produced so far (the watermark is the
    // minimum over partitions).
    const end = JSON.stringify({
      user_id: 'u0',
      page: '/end',
      action: 'view',
      timestamp: T0 + (minute + 5) * MINUTE,
    });
    await sendAll(producer, [end, end], () => stopped);

    // The input as the broker holds it is the ground truth (a retried send may have written twice).
    const input = (await readTopic(bootstrap, 'website-clicks')).map((r) => r.value);
    const clicks: Click[] = [];
    const bad: string[] = [];
    for (const value of input) {
      try {
        clicks.push(JSON.parse(value) as Click);
      } catch {
        bad.push(value);
      }
    }
    const late = clicks.filter((c) => c.action.startsWith('late-'));
    const onTime = clicks.filter((c) => !c.action.startsWith('late-') && c.page !== '/end');
    const asEvents = (key: (c: Click) => string, value: (c: Click) => number): OracleEvent[] =>
      onTime.map((c) => ({ key: key(c), ts: millis(c), value: value(c) }));
    const expectedViews = (
      await windowAnswer(
        asEvents(
          (c) => c.page,
          (c) => (c.action === 'view' ? 1 : 0),
        ),
        { kind: 'tumbling', size: MINUTE },
      )
    ).map((r) => `${r.key}@${r.start}=${r.sum}`);
    const expectedUsers = (
      await windowAnswer(
        asEvents(
          (c) => c.user_id,
          (c) => (c.action === 'click' ? 1 : 0),
        ),
        { kind: 'tumbling', size: MINUTE },
      )
    ).map((r) => `${r.key}@${r.start}=${r.count}/${r.sum}`);

    // Wait (event-driven, generously) until the job has committed every expected window.
    const deadline = Date.now() + 180_000;
    let views: string[] = [];
    for (;;) {
      views = (await readTopic(bootstrap, 'page-views', { readCommitted: true })).map((r) => {
        const row = JSON.parse(r.value) as PageViews;
        return `${row.page}@${row.window_start}=${row.views}`;
      });
      if (views.length >= expectedViews.length || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const users = (await readTopic(bootstrap, 'user-metrics', { readCommitted: true })).map((r) => {
      const row = JSON.parse(r.value) as UserMetrics;
      return `${row.user_id}@${row.window_start}=${row.events}/${row.clicks}`;
    });
    const lateOut = (await readTopic(bootstrap, 'late-events', { readCommitted: true })).map((r) => r.value);
    const deadOut = (await readTopic(bootstrap, 'dead-letters', { readCommitted: true })).map((r) =>
      Buffer.from((JSON.parse(r.value) as { value: string }).value, 'base64').toString(),
    );

    assert.ok(
      jobKills >= JOB_KILLS && brokerKills >= Math.min(BROKER_KILLS, 1),
      `kills: job ${jobKills}, broker ${brokerKills}`,
    );
    assert.ok(late.length > 0 && bad.length > 0, 'the input had late and undecodable records');
    assert.deepEqual(
      [...views].sort(),
      [...expectedViews].sort(),
      'page-views: each window once, equal to DuckDB',
    );
    assert.deepEqual(
      [...users].sort(),
      [...expectedUsers].sort(),
      'user-metrics: each window once, equal to DuckDB',
    );
    assert.deepEqual(
      lateOut.map((v) => JSON.stringify(JSON.parse(v))).sort(),
      late
        .map((c) =>
          JSON.stringify({ user_id: c.user_id, page: c.page, action: c.action, timestamp: c.timestamp }),
        )
        .sort(),
      'late-events: every late click exactly once',
    );
    assert.deepEqual(
      [...deadOut].sort(),
      [...bad].sort(),
      'dead-letters: every undecodable record exactly once',
    );
  } finally {
    stopped = true;
    if (run.job) await killJob(run);
    await producer.close().catch(() => undefined);
    await killHard(run.broker);
    await rm(brokerDir, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  }
});
