// `npm run bench -- checkpoint [--mb N] [--clicks N]`: checkpoints of a running job
// (docs/internals/checkpoint-benchmark.md quotes the figures).
//   per backend (heap, lmdb): datagen → keyBy → KeyedProcessFunction writing ~1 KB of ValueState per
//   key until ~N MB are held; then a full checkpoint (duration, size), a second checkpoint after ~1 %
//   of the keys changed, the longest gap between two processed records while a checkpoint runs
//   against the longest without one, and the restore of the checkpoint into a new job (time, MB/s).
//   clickstream: the example's pipeline from a datagen into Kafka sinks on an in-process broker,
//   events/s with guarantee 'exactly-once' and 1 s checkpoints against 'none' without checkpoints.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Click } from '../examples/clickstream/clicks.ts';
import { clickstreamPipeline, clickWatermarks } from '../examples/clickstream/job.ts';
import {
  createEnvironment,
  datagenSource,
  discardSink,
  type KeyedProcessFunction,
  kafkaSink,
  RestartStrategies,
  startEmbeddedBroker,
  startJob,
  type ValueState,
  valueState,
  WatermarkStrategy,
} from '../src/index.ts';
import { benchReport, printReport } from './lib/report.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const MB = arg('--mb', 1024);
const CLICKS = arg('--clicks', 1_000_000);
const VALUE_BYTES = 1024;
const KEYS = Math.round((MB * 1024 * 1024) / VALUE_BYTES);
// Paced: an unpaced datagen never waits, so the event loop never runs timers or file I/O (see the doc).
const RATE = arg('--rate', 50_000);
const HOT = Math.max(1, Math.round(KEYS / 100));
const root = mkdtempSync(join(tmpdir(), 'eddy-bench-checkpoint-'));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** What the keyed function observes: records processed and the longest gap between two of them. */
interface Probe {
  processed: number;
  last: number;
  maxGap: number;
}

function writer(probe: Probe): KeyedProcessFunction<number, number, never> {
  let slot: ValueState<Uint8Array>;
  return {
    open(ctx) {
      slot = ctx.state.getState(valueState<Uint8Array>('payload'));
    },
    processElement(i) {
      const now = performance.now();
      if (probe.last > 0) probe.maxGap = Math.max(probe.maxGap, now - probe.last);
      probe.last = now;
      probe.processed += 1;
      slot.update(new Uint8Array(VALUE_BYTES).fill(i & 255));
    },
  };
}

/** First every key once (building the state), then only the first 1 % of keys, forever. */
const keyOf = (i: number) => (i < KEYS ? i : i % HOT);

function stateJob(backend: 'heap' | 'lmdb', probe: Probe, restore?: string) {
  const env = createEnvironment({ jobName: `checkpoint-${backend}`, parallelism: 1 });
  env.enableCheckpointing(3_600_000, { timeout: 3_600_000 }); // only the checkpoints asked for below
  env.setRestartStrategy(RestartStrategies.none());
  env.setStateBackend(backend === 'heap' ? 'heap' : { kind: 'lmdb' });
  env
    .fromSource(
      datagenSource({ generate: keyOf, rate: RATE }),
      WatermarkStrategy.noWatermarks<number>(),
      'keys',
    )
    .uid('keys')
    .keyBy((i) => i)
    .process<never>(writer(probe))
    .uid('writer')
    .sinkTo(discardSink());
  return startJob(env.toPlan(), {
    // A restore under the cancelled job's id races its lmdb cleanup (ENOTEMPTY, reported): use another id.
    jobId: restore === undefined ? `state-${backend}` : `restored-${backend}`,
    stateDir: join(root, backend),
    restoreFrom: restore === undefined ? undefined : { path: restore },
  });
}

const step = (what: string) => process.stderr.write(`checkpoint bench: ${what}\n`);

async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await delay(5);
}

/** Triggers a checkpoint and reports its duration, its size and the longest processing gap meanwhile. */
async function checkpoint(job: ReturnType<typeof stateJob>, probe: Probe, backend: string) {
  probe.maxGap = 0;
  const start = performance.now();
  const id = await job.execution.triggerCheckpoint();
  const ms = performance.now() - start;
  const dir = join(root, backend, `state-${backend}`, 'checkpoints', `chk-${id}`);
  const manifest = JSON.parse(readFileSync(join(dir, '_metadata.json'), 'utf8')) as {
    operators: { subtasks: { bytes?: number }[] }[];
  };
  const bytes = manifest.operators.flatMap((op) => op.subtasks).reduce((sum, s) => sum + (s.bytes ?? 0), 0);
  return { ms, mb: bytes / 1024 / 1024, pause: probe.maxGap, dir };
}

async function backendRun(backend: 'heap' | 'lmdb') {
  const probe: Probe = { processed: 0, last: 0, maxGap: 0 };
  const job = stateJob(backend, probe);
  const buildStart = performance.now();
  await until(() => probe.processed >= KEYS);
  const buildMs = performance.now() - buildStart;
  step(`${backend}: ${KEYS} keys written in ${round(buildMs / 1000)} s`);
  probe.maxGap = 0;
  await delay(2_000);
  const baselineGap = probe.maxGap;
  const full = await checkpoint(job, probe, backend);
  const changedFrom = probe.processed;
  await until(() => probe.processed >= changedFrom + HOT);
  const second = await checkpoint(job, probe, backend);
  step(
    `${backend}: checkpoints of ${round(full.mb)} MB in ${round(full.ms)} ms, ${round(second.mb)} MB in ${round(second.ms)} ms`,
  );
  await job.cancel();

  const restoredProbe: Probe = { processed: 0, last: 0, maxGap: 0 };
  const restoreStart = performance.now();
  const restored = stateJob(backend, restoredProbe, second.dir);
  await until(() => restoredProbe.processed > 0);
  const restoreMs = performance.now() - restoreStart;
  await restored.cancel();
  return {
    [`${backend}.buildSeconds`]: round(buildMs / 1000),
    [`${backend}.baselineGapMs`]: round(baselineGap),
    [`${backend}.fullMs`]: round(full.ms),
    [`${backend}.fullMB`]: round(full.mb),
    [`${backend}.fullPauseMs`]: round(full.pause),
    [`${backend}.afterOnePercentMs`]: round(second.ms),
    [`${backend}.afterOnePercentMB`]: round(second.mb),
    [`${backend}.afterOnePercentPauseMs`]: round(second.pause),
    [`${backend}.restoreMs`]: round(restoreMs),
    [`${backend}.restoreMBps`]: round(second.mb / (restoreMs / 1000)),
  };
}

const PAGES = ['/home', '/cart', '/search', '/about', '/products', '/blog', '/help', '/checkout'];
const ACTIONS = ['view', 'view', 'click', 'scroll'];
const click = (i: number): Click => ({
  user_id: `u${(i * 7) % 5_000}`,
  page: PAGES[i & 7] as string,
  action: ACTIONS[i & 3] as string,
  timestamp: 1_700_000_000_000 + Math.floor(i / 10),
});

async function clickstreamRate(bootstrap: string, guarantee: 'exactly-once' | 'none'): Promise<number> {
  const env = createEnvironment({ jobName: `clicks-${guarantee}`, parallelism: 1 });
  if (guarantee === 'exactly-once') env.enableCheckpointing(1_000);
  env.setRestartStrategy(RestartStrategies.none());
  const clicks = env.fromSource(datagenSource({ generate: click, count: CLICKS }), clickWatermarks, 'clicks');
  const sink = <T>(topic: string) =>
    kafkaSink<T>({ topic: `${topic}-${guarantee}`, format: 'json', guarantee });
  clickstreamPipeline(clicks, {
    pageViews: sink('page-views'),
    userMetrics: sink('user-metrics'),
    lateClicks: sink('late-clicks'),
  });
  const start = performance.now();
  const result = await startJob(env.toPlan(), {
    jobId: `clicks-${guarantee}`,
    bootstrap,
    stateDir: join(root, 'clicks'),
  }).done;
  const seconds = (performance.now() - start) / 1000;
  if (guarantee === 'exactly-once' && result.metrics.checkpoints.completed === 0)
    process.stderr.write('checkpoint bench: the exactly-once run completed no checkpoint\n');
  return CLICKS / seconds;
}

try {
  const heap = await backendRun('heap');
  const lmdb = await backendRun('lmdb');
  const broker = await startEmbeddedBroker({ dataDir: join(root, 'broker'), port: 0, durability: 'os' });
  let none = 0;
  let exactlyOnce = 0;
  try {
    none = await clickstreamRate(broker.bootstrap, 'none');
    exactlyOnce = await clickstreamRate(broker.bootstrap, 'exactly-once');
  } finally {
    await broker.close();
  }
  const metrics = {
    stateMB: MB,
    ratePerSec: RATE,
    keys: KEYS,
    valueBytes: VALUE_BYTES,
    ...heap,
    ...lmdb,
    clicks: CLICKS,
    'clickstream.noneEventsPerSec': Math.round(none),
    'clickstream.exactlyOnceEventsPerSec': Math.round(exactlyOnce),
    'clickstream.exactlyOnceCost': round(1 - exactlyOnce / none, 3),
  };
  printReport(
    benchReport('checkpoint', metrics),
    `checkpoint: ${MB} MB state; heap full ${heap['heap.fullMs']} ms, pause ${heap['heap.fullPauseMs']} ms, restore ${heap['heap.restoreMBps']} MB/s; ` +
      `lmdb full ${lmdb['lmdb.fullMs']} ms, after 1 % ${lmdb['lmdb.afterOnePercentMs']} ms, pause ${lmdb['lmdb.fullPauseMs']} ms, restore ${lmdb['lmdb.restoreMBps']} MB/s; ` +
      `clickstream exactly-once ${metrics['clickstream.exactlyOnceEventsPerSec']}/s vs none ${metrics['clickstream.noneEventsPerSec']}/s`,
  );
} finally {
  // lmdb may still be removing its files of the last cancelled job; retry a few times.
  rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
