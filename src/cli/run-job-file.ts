import { StreamError } from '../common/errors.ts';
import type { Logger } from '../common/logging.ts';
import { serveTransactions } from '../connectors/kafka/remote-transaction.ts';
import {
  assertJobNotRunning,
  type EmbeddedBrokerOptions,
  type RunningJob,
  startControlServer,
  startEmbeddedBroker,
  startJob,
} from '../job/index.ts';
import { loadJobFile } from './job-file.ts';
import { buildJobFilePlan, type JobFilePlanArgs } from './job-plan.ts';
import { JOB_WORKER_MODULE } from './job-worker.ts';

export interface RunJobFileOptions {
  readonly path: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly parallelism?: number;
  readonly jobId?: string;
  /** Given: use that broker. Absent: start the embedded broker with `embeddedBroker`. */
  readonly bootstrap?: string;
  readonly embeddedBroker: EmbeddedBrokerOptions;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly checkpoints?: RunCheckpointOptions;
}

/** `eddy run --state-dir --checkpoint-interval --from-savepoint --allow-non-restored-state`. */
export interface RunCheckpointOptions {
  /** With it: checkpoints on, resume from the latest one of the job id, control socket. */
  readonly stateDir?: string;
  /** Default 10 s; a job that enables checkpointing itself keeps its own settings. */
  readonly checkpointInterval?: number;
  readonly fromSavepoint?: string;
  readonly allowNonRestoredState?: boolean;
}

/** The checkpoint interval `eddy run --state-dir` uses when neither the flag nor the job names one. */
export const DEFAULT_CLI_CHECKPOINT_INTERVAL = 10_000;

/**
 * What `eddy run` does: start the embedded broker unless a bootstrap was given, import the job file,
 * let it build the job on a fresh environment, and start the plan. The default parallelism comes from
 * the command line; a job that sets its own wins, as in Flink.
 */
export async function runJobFile(
  options: RunJobFileOptions,
): Promise<RunningJob & { readonly controlSocket?: string }> {
  const checkpoints = options.checkpoints ?? {};
  const stateDir = checkpoints.stateDir;
  const checkpointInterval =
    stateDir !== undefined || checkpoints.checkpointInterval !== undefined
      ? (checkpoints.checkpointInterval ?? DEFAULT_CLI_CHECKPOINT_INTERVAL)
      : undefined;
  const planArgs = (bootstrap: string | undefined): JobFilePlanArgs => ({
    path: options.path,
    flags: options.flags,
    bootstrap,
    parallelism: options.parallelism,
    checkpointInterval,
  });
  // Imported before the broker starts, so a broken job file fails fast.
  await loadJobFile(options.path);
  if (stateDir !== undefined && options.jobId !== undefined)
    await assertJobNotRunning({ stateDir, jobId: options.jobId });
  const broker = options.bootstrap === undefined ? await startOwnBroker(options) : undefined;
  try {
    const bootstrap = options.bootstrap ?? broker?.bootstrap;
    const plan = await buildJobFilePlan(planArgs(bootstrap));
    // With a state dir and a job id the control socket comes first: it claims the job id on this state
    // dir before anything restores, writes a checkpoint or fences a transaction.
    let running: RunningJob | undefined;
    const server =
      stateDir !== undefined && options.jobId !== undefined
        ? await startControlServer(() => running?.execution, {
            stateDir,
            jobId: options.jobId,
            logger: options.logger,
          })
        : undefined;
    try {
      running = startJob(plan, {
        jobId: options.jobId,
        bootstrap,
        ownedBroker: broker,
        logger: options.logger,
        signal: options.signal,
        stateDir,
        // With a state dir, a run started again (after kill -9, say) goes on from its latest checkpoint.
        restoreFrom:
          checkpoints.fromSavepoint !== undefined
            ? { path: checkpoints.fromSavepoint }
            : stateDir === undefined
              ? undefined
              : 'latest',
        allowNonRestoredState: checkpoints.allowNonRestoredState,
        // Parallelism above 1 runs on worker threads; each builds the same plan from the job file.
        threads: { setupModule: JOB_WORKER_MODULE, setupArgs: planArgs(bootstrap), serve: serveTransactions },
      });
    } catch (error) {
      await server?.close();
      throw error;
    }
    if (server === undefined) return running;
    const done = running.done.finally(() => server?.close());
    return { ...running, done, controlSocket: server?.path };
  } catch (error) {
    await broker?.close();
    throw error;
  }
}

/**
 * The embedded broker; a port it cannot have becomes a usage error that says what to pass instead,
 * since the usual cause is a second `eddy run` on the default port.
 */
async function startOwnBroker(options: RunJobFileOptions) {
  try {
    return await startEmbeddedBroker({ ...options.embeddedBroker, logger: options.logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const where = `${options.embeddedBroker.host ?? 'localhost'}:${options.embeddedBroker.port ?? 9092}`;
    const why =
      code === 'EADDRINUSE' ? 'the port is in use (another eddy run or broker?)' : 'permission denied';
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `the embedded broker cannot listen on ${where}: ${why}. Pass --port 0 to let it pick a free port, ` +
        'or --bootstrap host:port to run the job against a broker that is already running',
      { cause: error },
    );
  }
}
