import type { Logger } from '../../common/logging.ts';
import { connectorResolver } from '../../connectors/registry.ts';
import type { ConnectorResolver } from '../../engine/connector-resolver.ts';
import type { JobPlan } from '../../plan/nodes.ts';
import { ensureCheckpointTopic } from './checkpoint-topic.ts';
import { defaultTaskCount, ensureRepartitionTopics } from './internal-topics.ts';
import { repartitionTopic, splitAtKeyedEdges } from './split-plan.ts';
import { startTaskRun } from './task-run.ts';
import { superviseTasks, type TaskSupervisor } from './task-supervisor.ts';

export interface ScaleOutOptions {
  /** Every process of the job passes the same id; it names the group, the topics and the state. */
  readonly jobId: string;
  /** The Kafka cluster every process shares (membership, repartition topics, transactions). */
  readonly bootstrap: string;
  /**
   * Checkpoints of task i go to `<stateDir>/<jobId>.task-<i>` and to the topic `<jobId>-checkpoints`, so
   * processes may share the directory or each have their own.
   */
  readonly stateDir: string;
  /** T; default: the largest partition count among the Kafka topics the job reads. */
  readonly tasks?: number;
  readonly logger?: Logger;
  /** Aborting stops this process's tasks and leaves the group. */
  readonly signal?: AbortSignal;
  readonly connectors?: ConnectorResolver;
  /** How long the others wait for a silent process before taking its tasks (default 10 s). */
  readonly sessionTimeoutMs?: number;
}

export interface ScaledOutJob {
  readonly jobId: string;
  readonly tasks: number;
  /** Tasks running in this process now. */
  owned(): readonly number[];
  /** Resolves once this process left the group (after a cancel); rejects when a task or the membership fails. */
  readonly done: Promise<void>;
  cancel(): Promise<void>;
}

/**
 * Runs this process's share of a job that several processes run under one job id (`eddy run
 * --scale-out`): splits the plan at its keyed edges (splitAtKeyedEdges), creates the repartition topics,
 * joins the group `eddy-<jobId>` and runs each task the group assigns here as its own engine run, which
 * restores that task's latest committed checkpoint. A rebalance stops every task here before the group
 * hands them out again (docs/internals/scale-out.md).
 *
 * @example
 * const job = await startScaledOutJob(plan, { jobId: 'clicks', bootstrap: 'kafka:9092', stateDir: '/shared/eddy' });
 * await job.done;
 */
export async function startScaledOutJob(plan: JobPlan, options: ScaleOutOptions): Promise<ScaledOutJob> {
  const { jobId, bootstrap, stateDir, logger } = options;
  const tasks = options.tasks ?? (await defaultTaskCount(plan, bootstrap));
  const staged = splitAtKeyedEdges(plan, { jobId, tasks });
  const keyedEdges =
    staged.nodes.filter((node) => node.kind === 'source').length -
    plan.nodes.filter((node) => node.kind === 'source').length;
  const topics = Array.from({ length: keyedEdges }, (_, n) => repartitionTopic(jobId, n));
  await ensureRepartitionTopics(bootstrap, topics, tasks);
  await ensureCheckpointTopic(bootstrap, jobId, tasks);
  const connectors = options.connectors ?? connectorResolver;
  const startTask = (task: number) =>
    startTaskRun({ staged, jobId, task, bootstrap, stateDir, connectors, logger: logger?.child({ task }) });
  const supervisor: TaskSupervisor = await superviseTasks({
    bootstrap,
    groupId: `eddy-${jobId}`,
    tasks,
    startTask,
    logger,
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
  });
  const cancel = (): Promise<void> => supervisor.close();
  const signal = options.signal;
  if (signal?.aborted) void cancel();
  else signal?.addEventListener('abort', () => void cancel(), { once: true });
  logger?.info({ jobId, tasks, repartitionTopics: topics }, 'scaled-out job joined its group');
  return { jobId, tasks, owned: () => supervisor.owned(), done: supervisor.done, cancel };
}
