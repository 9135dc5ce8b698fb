import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock } from '../common/time.ts';
import type { JobPlan } from '../plan/nodes.ts';
import type { ConnectorResolver } from './connector-resolver.ts';
import { instantiate } from './graph/instantiate.ts';
import { buildPhysicalGraph } from './graph/physical-graph.ts';
import { asStreamError, JobControl } from './job-control.ts';
import { type JobMetrics, MetricsRegistry } from './metrics.ts';
import type { SubtaskEnv } from './subtask.ts';

export type { JobMetrics, OperatorMetrics } from './metrics.ts';

export interface ExecuteOptions {
  connectors: ConnectorResolver;
  /** Default: the job name and a random suffix. */
  jobId?: string;
  /** Passed to every SourceContext and SinkContext (`eddy run --bootstrap`). */
  bootstrap?: string;
  logger?: Logger;
  /** Aborting cancels the job. */
  signal?: AbortSignal;
}

export interface JobResult {
  status: 'finished' | 'cancelled';
  metrics: JobMetrics;
}

export interface JobExecution {
  readonly jobId: string;
  /** Resolves when every source ended and everything was flushed and closed, or after a cancel;
   * rejects with the first StreamError when the job fails (after closing everything). */
  readonly done: Promise<JobResult>;
  /** Stops the sources, drains nothing further, closes everything; resolves once all is closed. */
  cancel(): Promise<void>;
  metrics(): JobMetrics;
}

/**
 * Runs a job plan in this thread: every operator subtask is an async task, chained operators call each
 * other directly and other edges go through bounded channels. An invalid plan rejects `done` with
 * ENG_INVALID_JOB before anything is opened.
 *
 * @example
 * const job = executeJob(plan, { connectors });
 * const { status, metrics } = await job.done;
 */
export function executeJob(plan: JobPlan, options: ExecuteOptions): JobExecution {
  const { config } = plan;
  const jobId = options.jobId ?? `${config.jobName}-${randomBytes(4).toString('hex')}`;
  const logger = options.logger?.child({ job: config.jobName, jobId });
  const control = new JobControl(logger);
  const metrics = new MetricsRegistry();
  const env: SubtaskEnv = { control, clock: config.clock ?? systemClock, config, metrics, logger };

  const signal = options.signal;
  const onAbort = (): void => control.cancel();
  if (signal?.aborted) control.cancel();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const done = run(plan, env, { connectors: options.connectors, jobId, bootstrap: options.bootstrap });
  const forget = (): void => signal?.removeEventListener('abort', onAbort);
  done.then(forget, forget);
  return {
    jobId,
    done,
    async cancel() {
      control.cancel();
      await done.then(
        () => {},
        () => {},
      );
    },
    metrics: () => metrics.snapshot(),
  };
}

async function run(
  plan: JobPlan,
  env: SubtaskEnv,
  options: { connectors: ConnectorResolver; jobId: string; bootstrap?: string },
): Promise<JobResult> {
  let subtasks: ReturnType<typeof instantiate>;
  try {
    subtasks = instantiate(buildPhysicalGraph(plan), env, options);
  } catch (error) {
    throw asStreamError(error, `setting up job "${plan.config.jobName}"`);
  }
  env.logger?.debug({ subtasks: subtasks.map((subtask) => subtask.name) }, 'job started');
  await Promise.all(subtasks.map((subtask) => subtask.run()));
  const { control, metrics } = env;
  if (control.error !== undefined) throw control.error;
  env.logger?.debug({ cancelled: control.cancelled }, 'job ended');
  return { status: control.cancelled ? 'cancelled' : 'finished', metrics: metrics.snapshot() };
}
