import type { BrokerHandle } from '../broker/index.ts';
import type { Logger } from '../common/logging.ts';
import { connectorResolver } from '../connectors/registry.ts';
import type { ConnectorResolver } from '../engine/connector-resolver.ts';
import { type ExecuteOptions, executeJob, type JobExecution, type JobResult } from '../engine/execute.ts';
import type { JobPlan } from '../plan/nodes.ts';

export interface StartJobOptions {
  readonly jobId?: string;
  /** Where Kafka connectors connect when their config names no bootstrap. */
  readonly bootstrap?: string;
  /** A broker started for this job; it is closed when the job ends. */
  readonly ownedBroker?: BrokerHandle;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Defaults to the built-in connector registry. */
  readonly connectors?: ConnectorResolver;
  /** Checkpoints go to `<stateDir>/<jobId>/checkpoints` (see ExecuteOptions). */
  readonly stateDir?: string;
  /** 'latest' (the job's newest checkpoint under stateDir) or a checkpoint/savepoint directory. */
  readonly restoreFrom?: ExecuteOptions['restoreFrom'];
  readonly allowNonRestoredState?: boolean;
  /** Run subtasks on worker threads (see ExecuteOptions.threads). */
  readonly threads?: ExecuteOptions['threads'];
}

export interface RunningJob {
  readonly jobId: string;
  readonly bootstrap: string | undefined;
  readonly execution: JobExecution;
  /** Settles when the job has ended and its owned broker (if any) has closed. */
  readonly done: Promise<JobResult>;
  cancel(): Promise<void>;
}

/**
 * Runs a plan with the built-in connectors.
 *
 * @example
 * const job = startJob(env.toPlan(), { bootstrap: '127.0.0.1:9092' });
 * await job.done;
 */
export function startJob(plan: JobPlan, options: StartJobOptions = {}): RunningJob {
  const bootstrap = options.bootstrap ?? options.ownedBroker?.bootstrap;
  let execution: JobExecution;
  try {
    execution = executeJob(plan, {
      connectors: options.connectors ?? connectorResolver,
      jobId: options.jobId,
      bootstrap,
      logger: options.logger,
      signal: options.signal,
      stateDir: options.stateDir,
      restoreFrom: options.restoreFrom,
      allowNonRestoredState: options.allowNonRestoredState,
      threads: options.threads,
    });
  } catch (error) {
    void options.ownedBroker?.close();
    throw error;
  }
  const done = execution.done.finally(async () => {
    await options.ownedBroker?.close();
  });
  return { jobId: execution.jobId, bootstrap, execution, done, cancel: () => execution.cancel() };
}
