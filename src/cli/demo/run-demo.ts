import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEnvironment } from '../../api/index.ts';
import type { Logger } from '../../common/logging.ts';
import { startEmbeddedBroker, startJob } from '../../job/index.ts';
import { createTopic, withAdmin } from '../../kafka/admin.ts';
import { consumeValues } from '../../kafka/console.ts';
import { runJobFile } from '../run-job-file.ts';
import { addClickGenerator } from './click-generator.ts';
import { WindowBoard, type WindowRow } from './window-board.ts';

export interface DemoOptions {
  /** Real milliseconds to run; undefined runs until the signal. */
  readonly duration?: number;
  readonly rate: number;
  readonly speed: number;
  readonly port: number;
  readonly write: (text: string) => void;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface DemoSummary {
  readonly windows: number;
  readonly badRecords: number;
  readonly jobStatus: string;
}

const TOPICS = ['website-clicks', 'page-views', 'user-metrics', 'late-events', 'dead-letters'];
const CLICKSTREAM_JOB = resolve(import.meta.dirname, '../../../examples/clickstream/job.ts');

/**
 * `eddy demo`: an embedded broker in a fresh temporary directory, a click generator writing to
 * `website-clicks`, the clickstream example job, and a board printing each window's results as they
 * arrive on `page-views` and `user-metrics`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-demo-'));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const timer = options.duration === undefined ? undefined : setTimeout(onAbort, options.duration);
  // The broker's and the jobs' routine logs would bury the board; warnings and errors still show.
  const quiet = options.logger.child(
    {},
    { level: options.logger.isLevelEnabled('info') ? 'warn' : options.logger.level },
  );
  const broker = await startEmbeddedBroker({ dataDir, port: options.port, durability: 'os', logger: quiet });
  try {
    await withAdmin({ bootstrap: broker.bootstrap }, async (admin) => {
      for (const topic of TOPICS) await createTopic(admin, topic, 1, {});
    });
    options.write(
      `eddy demo: broker on ${broker.bootstrap}; clicks at ${options.rate}/s, simulated time ${options.speed}× ` +
        'real time, so a 1-minute window closes every ' +
        `${(60 / options.speed).toFixed(1)} s\n\n`,
    );
    const generatorEnv = createEnvironment({ jobName: 'click-generator' });
    // Simulated time starts three hours back: it runs faster than the clock, and brokers (eddy's and
    // Kafka's) refuse record timestamps more than an hour in the future.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
    addClickGenerator(generatorEnv, {
      topic: 'website-clicks',
      rate: options.rate,
      speed: options.speed,
      start,
    });
    const generator = startJob(generatorEnv.toPlan(), {
      bootstrap: broker.bootstrap,
      logger: quiet,
    });
    const job = await runJobFile({
      path: CLICKSTREAM_JOB,
      flags: {},
      bootstrap: broker.bootstrap,
      embeddedBroker: { dataDir },
      logger: quiet,
      signal: stop.signal,
    });
    const board = new WindowBoard({ write: options.write, top: 5 });
    const view = (topic: string, add: (row: WindowRow) => void) =>
      consumeValues(
        { bootstrap: broker.bootstrap, topic, fromBeginning: true, signal: stop.signal },
        (value) => {
          if (value !== null) add(JSON.parse(value) as WindowRow);
        },
      );
    const views = Promise.all([
      view('page-views', (row) => board.addPageViews(row)),
      view('user-metrics', (row) => board.addUserMetrics(row)),
    ]);
    // Whichever ends first (the duration, Ctrl-C, or a failing job) ends the demo.
    const jobEnded = job.done.then(
      (result) => result.status,
      (error: unknown) => {
        options.write(
          `the clickstream job failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        return 'failed';
      },
    );
    const status = await Promise.race([
      jobEnded,
      new Promise<string>((r) => stop.signal.addEventListener('abort', () => r('stopped'))),
    ]);
    stop.abort();
    await generator.cancel();
    await generator.done.catch(() => undefined);
    await job.cancel();
    await jobEnded;
    await views;
    board.flush();
    const metrics = job.execution.metrics();
    return { windows: board.windowsShown(), badRecords: metrics.badRecords, jobStatus: status };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
