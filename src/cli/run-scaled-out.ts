import { StreamError } from '../common/errors.ts';
import type { Logger } from '../common/logging.ts';
import { type ScaledOutJob, startScaledOutJob } from '../job/scale-out/scaled-out-job.ts';
import { buildJobFilePlan } from './job-plan.ts';
import { DEFAULT_CLI_CHECKPOINT_INTERVAL } from './run-job-file.ts';

export interface RunScaledOutOptions {
  readonly path: string;
  readonly flags: Readonly<Record<string, string>>;
  /** `--parallelism` when given: the job's task count T (the same on every process). */
  readonly tasks?: number;
  readonly jobId?: string;
  readonly bootstrap?: string;
  readonly stateDir?: string;
  readonly checkpointInterval?: number;
  readonly fromSavepoint?: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/**
 * `eddy run --scale-out`: this process's share of a job that every process runs with the same command.
 * The processes meet on a Kafka cluster they share, and take over each other's tasks from a state
 * directory they share, so --bootstrap, --job-id and --state-dir are required.
 */
export async function runScaledOutJobFile(options: RunScaledOutOptions): Promise<ScaledOutJob> {
  const { bootstrap, jobId, stateDir } = options;
  const missing = [
    bootstrap === undefined
      ? '--bootstrap (the Kafka cluster every process shares; start one with `eddy broker`)'
      : undefined,
    jobId === undefined ? '--job-id (the same on every process)' : undefined,
    stateDir === undefined
      ? '--state-dir (a directory every process can reach, as on a shared filesystem)'
      : undefined,
  ].filter((text) => text !== undefined);
  if (missing.length > 0)
    throw new StreamError('CLI_BAD_ARGUMENT', `--scale-out needs ${missing.join(', ')}`);
  if (options.fromSavepoint !== undefined)
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      '--from-savepoint cannot be combined with --scale-out: each task of a scaled-out job restores its own checkpoints',
    );
  const plan = await buildJobFilePlan({
    path: options.path,
    flags: options.flags,
    bootstrap,
    checkpointInterval: options.checkpointInterval ?? DEFAULT_CLI_CHECKPOINT_INTERVAL,
  });
  return startScaledOutJob(plan, {
    jobId: jobId!,
    bootstrap: bootstrap!,
    stateDir: stateDir!,
    ...(options.tasks === undefined ? {} : { tasks: options.tasks }),
    logger: options.logger,
    signal: options.signal,
  });
}
