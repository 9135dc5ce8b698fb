import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { StreamError } from '../common/errors.ts';
import type { JobPlan } from '../plan/nodes.ts';
import type { CheckpointPublish } from './checkpoint/coordinator.ts';
import type { RestoreFrom } from './checkpoint/recovery.ts';
import type { ConnectorResolver } from './connector-resolver.ts';
import { type RestoredCheckpoint, runJob } from './job-runner.ts';
import type { JobMetrics } from './metrics.ts';
import type { ThreadsOptions } from './threads/protocol.ts';

export type { RestoredCheckpoint } from './job-runner.ts';
export type { CheckpointMetrics, JobMetrics, OperatorMetrics } from './metrics.ts';

export interface ExecuteOptions {
  connectors: ConnectorResolver;
  /** Default: the job name and a random suffix. Give a stable one to find the job's checkpoints again. */
  jobId?: string;
  /** Passed to every SourceContext and SinkContext (`eddy run --bootstrap`). */
  bootstrap?: string;
  logger?: Logger;
  /** Aborting cancels the job. */
  signal?: AbortSignal;
  /**
   * Checkpoints go to `<stateDir>/<jobId>/checkpoints`. Without it, a job with checkpointing keeps them
   * in a temporary directory deleted when the job ends (enough for restarts in this process).
   */
  stateDir?: string;
  /** 'latest': the job's newest completed checkpoint under stateDir, if any; { path }: a checkpoint or savepoint directory. */
  restoreFrom?: RestoreFrom;
  /** Drop state of operators (uids) the job no longer has instead of refusing to restore. */
  allowNonRestoredState?: boolean;
  /**
   * Run the subtasks on worker threads, one per task slot (slot i runs subtask i of every task), when
   * the job's largest parallelism is above 1. Each thread rebuilds the plan from this module, so the
   * plan passed here must be the one it builds. Without it, every subtask runs in this thread.
   */
  threads?: ThreadsOptions;
  /**
   * Run only these subtask indexes (one task of a scaled-out job, whose plan has forward edges only);
   * the others run elsewhere. Not with `threads`.
   */
  subtasks?: readonly number[];
  /**
   * Called with each checkpoint's id and directory once its files are written and before any sink
   * commits it; a rejection fails that checkpoint. A scaled-out task copies it to its checkpoint topic.
   */
  publishCheckpoint?: CheckpointPublish;
}

export interface JobResult {
  /** 'stopped': by stopWithSavepoint, whose savepoint path is `savepoint`. */
  status: 'finished' | 'cancelled' | 'stopped';
  metrics: JobMetrics;
  savepoint?: string;
  /** The checkpoint the last attempt started from. */
  restoredFrom?: RestoredCheckpoint;
}

export interface JobExecution {
  readonly jobId: string;
  /** Resolves when every source ended and everything was flushed and closed, after a cancel or a stop
   * with savepoint; rejects with the first StreamError when the job fails and its restart strategy
   * gives up (after closing everything). */
  readonly done: Promise<JobResult>;
  /** Resolves once the first attempt is running (its restore point chosen and its subtasks created). */
  readonly started: Promise<void>;
  /** The checkpoint or savepoint the current attempt started from (after `started`). */
  readonly restoredFrom: RestoredCheckpoint | undefined;
  /** Stops the sources, drains nothing further, closes everything; resolves once all is closed. */
  cancel(): Promise<void>;
  metrics(): JobMetrics;
  /** Takes a checkpoint now (after a running one); resolves with its id once it completed. */
  triggerCheckpoint(): Promise<number>;
  /**
   * Writes a savepoint to `<dir>/savepoint-<jobId>-<N>` with the checkpoint barrier protocol (sinks
   * commit as for a checkpoint; retention never deletes it) and resolves with that path.
   */
  triggerSavepoint(dir: string): Promise<string>;
  /** A savepoint after which the sources emit nothing; then the job stops and `done` resolves 'stopped'. */
  stopWithSavepoint(dir: string): Promise<string>;
}

/**
 * Runs a job plan in this thread: every operator subtask is an async task, chained operators call each
 * other directly and other edges go through bounded channels. With checkpointing, barriers flow from
 * the sources, state goes to files plus a manifest, sinks commit per checkpoint, and a failed job
 * restarts from its latest checkpoint as its restart strategy allows. An invalid plan rejects `done`
 * with ENG_INVALID_JOB before anything is opened.
 *
 * @example
 * const job = executeJob(plan, { connectors, jobId: 'clicks', stateDir: '.eddy/state', restoreFrom: 'latest' });
 * await job.started;
 * const savepoint = await job.triggerSavepoint('/backups');
 * const { status, metrics } = await job.done;
 */
export function executeJob(plan: JobPlan, options: ExecuteOptions): JobExecution {
  const { config } = plan;
  // A generated id also names the job's state directory, so it keeps to file-name characters.
  const jobId =
    options.jobId ?? `${config.jobName.replace(/[^A-Za-z0-9._-]+/g, '-')}-${randomBytes(4).toString('hex')}`;
  const logger = options.logger?.child({ job: config.jobName, jobId });
  const runner = runJob(plan, { ...options, jobId, logger, randomJobId: options.jobId === undefined });

  const signal = options.signal;
  const onAbort = (): void => runner.cancel();
  if (signal?.aborted) runner.cancel();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const forget = (): void => signal?.removeEventListener('abort', onAbort);
  runner.done.then(forget, forget);

  const current = () => {
    const attempt = runner.attempt;
    if (attempt === undefined)
      throw new StreamError(
        'ENG_CHECKPOINT_UNAVAILABLE',
        'cannot take a checkpoint: the job is not running (it has not started, is restarting or has ended)',
      );
    return attempt;
  };
  return {
    jobId,
    done: runner.done,
    started: runner.started,
    get restoredFrom() {
      return runner.restoredFrom;
    },
    async cancel() {
      runner.cancel();
      await runner.done.then(
        () => {},
        () => {},
      );
    },
    metrics: () => runner.metrics(),
    triggerCheckpoint: async () => (await current().coordinator.trigger({ kind: 'checkpoint' })).id,
    triggerSavepoint: async (dir) =>
      (await current().coordinator.trigger({ kind: 'savepoint', savepointDir: dir })).dir,
    async stopWithSavepoint(dir) {
      const attempt = current();
      const { dir: path } = await attempt.coordinator.trigger({
        kind: 'savepoint',
        savepointDir: dir,
        stopSources: true,
      });
      attempt.control.stopWithSavepoint(path);
      return path;
    },
  };
}
