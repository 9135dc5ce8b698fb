// `npm run bench -- scaling [--events N]`: the engine benchmark's jobs at parallelism 1 (one thread)
// and 2 (one worker thread per task slot, keyed exchanges between threads), through the same path
// `eddy run` takes. Rates count from the moment every slot has built its subtasks to the end, so the
// worker threads' start-up (importing the job module again) is reported apart.
import { join } from 'node:path';
import { buildJobFilePlan, type JobFilePlanArgs } from '../src/cli/job-plan.ts';
import { JOB_WORKER_MODULE } from '../src/cli/job-worker.ts';
import { serveTransactions } from '../src/connectors/kafka/remote-transaction.ts';
import { startJob } from '../src/index.ts';
import { benchReport, printReport } from './lib/report.ts';

const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 8_000_000;
const JOB = join(import.meta.dirname, 'jobs', 'engine-jobs.ts');
const JOBS = ['stateless', 'window', 'clickstream'] as const;

/** Events per second of one run, and its start-up time. */
async function timeRun(job: string, parallelism: number): Promise<{ rate: number; startupMs: number }> {
  const args: JobFilePlanArgs = { path: JOB, flags: { job, events: String(EVENTS) }, parallelism };
  const plan = await buildJobFilePlan(args);
  const begin = performance.now();
  const running = startJob(plan, {
    threads: { setupModule: JOB_WORKER_MODULE, setupArgs: args, serve: serveTransactions },
  });
  await running.execution.started;
  const started = performance.now();
  const result = await running.done;
  if (result.status !== 'finished') throw new Error(`${job} at parallelism ${parallelism}: ${result.status}`);
  return { rate: EVENTS / ((performance.now() - started) / 1000), startupMs: started - begin };
}

const metrics: Record<string, number | string> = { events: EVENTS };
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
metrics.processes =
  'one versus two processes: not measured; several processes per job (consumer groups) are not built yet';
printReport(benchReport('scaling', metrics), `scaling p=1 → p=2: ${lines.join('; ')}`);
