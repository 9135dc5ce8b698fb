// `npm run bench -- scaling [--events N] [--kafka-events M]`: the engine benchmark's jobs at
// parallelism 1 (one thread) and 2 (one worker thread per task slot, keyed exchanges between threads),
// through the same path `eddy run` takes, plus the clickstream job reading M JSON clicks from a
// 2-partition topic on eddy's broker running in another process. Rates
// count from the moment every slot has built its subtasks to the end, so the worker threads' start-up
// (importing the job module again) is reported apart. Last, the same M clicks through the clickstream
// example run by one and by two `eddy run --scale-out` processes (bench/lib/scale-out-processes.ts),
// timed until the committed output counts every click.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildJobFilePlan, type JobFilePlanArgs } from '../src/cli/job-plan.ts';
import { JOB_WORKER_MODULE } from '../src/cli/job-worker.ts';
import { serveTransactions } from '../src/connectors/kafka/remote-transaction.ts';
import { startJob } from '../src/index.ts';
import { createTopic, withAdmin } from '../src/kafka/admin.ts';
import { produceLines } from '../src/kafka/console.ts';
import { startBrokerProcess } from './lib/broker-process.ts';
import { benchReport, printReport } from './lib/report.ts';
import { timeProcesses, writeClicks } from './lib/scale-out-processes.ts';

const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 32_000_000;
const JOB = join(import.meta.dirname, 'jobs', 'engine-jobs.ts');
const kafkaIndex = process.argv.indexOf('--kafka-events');
const KAFKA_EVENTS = kafkaIndex > 0 ? Number(process.argv[kafkaIndex + 1]) : 1_000_000;
const JOBS = ['stateless', 'window', 'clickstream', 'kafka-clickstream'] as const;

/** Events per second of one run, and its start-up time. */
async function timeRun(job: string, parallelism: number): Promise<{ rate: number; startupMs: number }> {
  const kafka = job === 'kafka-clickstream';
  const events = kafka ? KAFKA_EVENTS : EVENTS;
  const args: JobFilePlanArgs = {
    path: JOB,
    flags: { job, events: String(events), topic: TOPIC },
    parallelism,
    bootstrap: broker.bootstrap,
  };
  const plan = await buildJobFilePlan(args);
  const begin = performance.now();
  const running = startJob(plan, {
    bootstrap: broker.bootstrap,
    threads: { setupModule: JOB_WORKER_MODULE, setupArgs: args, serve: serveTransactions },
  });
  await running.execution.started;
  const started = performance.now();
  const result = await running.done;
  if (result.status !== 'finished') throw new Error(`${job} at parallelism ${parallelism}: ${result.status}`);
  return { rate: events / ((performance.now() - started) / 1000), startupMs: started - begin };
}

const TOPIC = 'bench-clicks';
const dataDir = await mkdtemp(join(tmpdir(), 'eddy-bench-scaling-'));
// The broker runs in its own process, as a cluster would: on 2 cores it competes with the job's threads.
const broker = await startBrokerProcess(dataDir, 'os');
await withAdmin({ bootstrap: broker.bootstrap }, (admin) => createTopic(admin, TOPIC, 2, {}));
await produceClicks(broker.bootstrap, KAFKA_EVENTS);

/** JSON clicks spread over both partitions, 10 per millisecond of event time. */
async function produceClicks(bootstrap: string, count: number): Promise<void> {
  const pages = ['/home', '/cart', '/search', '/about'];
  async function* lines() {
    for (let i = 0; i < count; i++)
      yield `u${i % 997}\t${JSON.stringify({ user_id: `u${i % 997}`, page: pages[i & 3], action: i % 3 ? 'view' : 'click', timestamp: 1_700_000_000_000 + Math.floor(i / 10) })}`;
  }
  await produceLines(lines(), { bootstrap, topic: TOPIC, keySeparator: '\t', batchSize: 2_000 });
}

const metrics: Record<string, number | string> = { events: EVENTS, kafkaEvents: KAFKA_EVENTS };
const lines: string[] = [];
for (const job of JOBS) {
  // Best of two: the first run of a job also warms up the main thread's code.
  const one = Math.max((await timeRun(job, 1)).rate, (await timeRun(job, 1)).rate);
  const runs = [await timeRun(job, 2), await timeRun(job, 2)];
  const two = Math.max(...runs.map((r) => r.rate));
  metrics[`${job}P1EventsPerSec`] = Math.round(one);
  metrics[`${job}P2EventsPerSec`] = Math.round(two);
  metrics[`${job}SpeedUp`] = Number((two / one).toFixed(2));
  metrics[`${job}P2StartupMs`] = Math.round(Math.min(...runs.map((r) => r.startupMs)));
  lines.push(`${job} ${(one / 1e6).toFixed(1)} → ${(two / 1e6).toFixed(1)} M/s (×${(two / one).toFixed(2)})`);
}
// One process running both tasks of the job, then two processes running one each (fresh job ids).
const PROCESSES_TOPIC = 'bench-clicks-processes';
await writeClicks(broker.bootstrap, PROCESSES_TOPIC, KAFKA_EVENTS);
const byProcesses = [];
for (const processes of [1, 2]) {
  const run = await timeProcesses({
    bootstrap: broker.bootstrap,
    topic: PROCESSES_TOPIC,
    count: KAFKA_EVENTS,
    processes,
    jobId: `bench-scale-out-${processes}-${Date.now()}`,
  });
  metrics[`scaleOut${processes}ProcessEventsPerSec`] = Math.round(run.rate);
  metrics[`scaleOut${processes}ProcessTotalMs`] = Math.round(run.totalMs);
  metrics[`scaleOut${processes}ProcessStartupMs`] = Math.round(run.startupMs);
  byProcesses.push(run.rate);
}
const [oneProcess = 0, twoProcesses = 0] = byProcesses;
metrics.scaleOutSpeedUp = Number((twoProcesses / oneProcess).toFixed(2));
lines.push(
  `kafka-clickstream --scale-out 1 → 2 processes ${(oneProcess / 1e3).toFixed(0)} → ${(twoProcesses / 1e3).toFixed(0)} k/s (×${(twoProcesses / oneProcess).toFixed(2)})`,
);
await broker.stop();
await rm(dataDir, { recursive: true, force: true });
printReport(benchReport('scaling', metrics), `scaling p=1 → p=2: ${lines.join('; ')}`);
