import { StreamError } from '../../common/errors.ts';
import { repartitionSink } from '../../connectors/kafka/repartition-sink.ts';
import { repartitionSource } from '../../connectors/kafka/repartition-source.ts';
import type { InputEdge, JobPlan, NodeId, PlanNode } from '../../plan/nodes.ts';

export interface SplitOptions {
  readonly jobId: string;
  /** T: the job's task count; every operator runs at this parallelism, task i = subtask i of each. */
  readonly tasks: number;
}

/** The Kafka topic that carries keyed exchange `n` (in plan order) of a scaled-out job. */
export function repartitionTopic(jobId: string, n: number): string {
  return `${jobId}-repartition-${n}`;
}

/**
 * Rewrites a plan so that its tasks meet only through Kafka: every keyed edge A → B becomes A → a
 * repartition sink (topic `<jobId>-repartition-<n>`, partition = the task owning the record's key
 * group) and a repartition source → B over a forward edge that carries the key. Every operator then
 * runs at parallelism `tasks` and every edge is forward, so task i (subtask i of every operator) needs
 * no channel to another task and can run in any process. Barriers never cross the topic: each task
 * checkpoints on its own, its Kafka transaction holding its output, its repartition writes and its
 * input offsets (docs/internals/scale-out.md).
 *
 * Refused with ENG_INVALID_JOB, naming each: rebalance, broadcast and global edges (windowAll),
 * operators with a parallelism of their own, and Kafka sources with a groupId of their own.
 *
 * @example
 * const staged = splitAtKeyedEdges(plan, { jobId: 'clicks', tasks: 4 });
 * staged.nodes.filter((n) => n.kind === 'source').length; // the job's sources + one per keyBy
 */
export function splitAtKeyedEdges(plan: JobPlan, options: SplitOptions): JobPlan {
  const { tasks, jobId } = options;
  checkSplittable(plan, tasks);
  const bounded = plan.nodes.every((node) => node.kind !== 'source' || node.source.bounded);
  let nextId = Math.max(...plan.nodes.map((node) => node.id)) + 1;
  let exchange = 0;
  const nodes: PlanNode[] = [];
  for (const node of plan.nodes) {
    const inputs: InputEdge[] = [];
    for (const edge of node.inputs) {
      if (edge.partitioning.kind !== 'keyed') {
        inputs.push(edge);
        continue;
      }
      const n = exchange++;
      const topic = repartitionTopic(jobId, n);
      const sinkId: NodeId = nextId++;
      const sourceId: NodeId = nextId++;
      const key = edge.partitioning.key;
      nodes.push({
        id: sinkId,
        kind: 'sink',
        name: `repartition ${n} to ${node.name}`,
        uid: `repartition-${n}-sink`,
        inputs: [{ from: edge.from, partitioning: { kind: 'forward' }, port: 0, ...sideOutputOf(edge) }],
        sink: repartitionSink({ topic, tasks, maxParallelism: plan.config.maxParallelism, key }),
      });
      nodes.push({
        id: sourceId,
        kind: 'source',
        name: `repartition ${n} from ${nameOf(plan, edge.from)}`,
        uid: `repartition-${n}-source`,
        inputs: [],
        source: repartitionSource({ topic, tasks, bounded }),
        watermarks: { kind: 'none' },
        badRecords: { kind: 'fail' },
      });
      inputs.push({ from: sourceId, partitioning: { kind: 'forward', key }, port: edge.port });
    }
    const { parallelism: _own, ...rest } = node;
    nodes.push({ ...rest, inputs } as PlanNode);
  }
  return { config: { ...plan.config, parallelism: tasks }, nodes };
}

function checkSplittable(plan: JobPlan, tasks: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(tasks) || tasks < 1)
    problems.push(`the task count must be at least 1 (got ${tasks})`);
  if (tasks > plan.config.maxParallelism)
    problems.push(`${tasks} tasks exceed maxParallelism ${plan.config.maxParallelism} (key groups)`);
  for (const node of plan.nodes) {
    if (node.parallelism !== undefined && node.parallelism !== tasks)
      problems.push(
        `operator "${node.name}" sets its own parallelism (${node.parallelism}); every operator of a scaled-out job runs once per task (${tasks})`,
      );
    if (
      node.kind === 'source' &&
      node.source.connector === 'kafka' &&
      node.source.config.groupId !== undefined
    )
      problems.push(
        `Kafka source "${node.name}" names groupId "${String(node.source.config.groupId)}"; each task of a scaled-out job commits its offsets to its own group (eddy-<jobId>.task-<i>), so leave groupId out`,
      );
    for (const edge of node.inputs) {
      const kind = edge.partitioning.kind;
      if (kind === 'rebalance' || kind === 'broadcast' || kind === 'global')
        problems.push(
          `operator "${node.name}" reads a ${kind} edge; a scaled-out job exchanges records between processes only by key (keyBy)`,
        );
    }
  }
  if (problems.length > 0)
    throw new StreamError('ENG_INVALID_JOB', `this job cannot be scaled out: ${problems.join('; ')}`, {
      details: { problems },
    });
}

function sideOutputOf(edge: InputEdge): { sideOutput?: string } {
  return edge.sideOutput === undefined ? {} : { sideOutput: edge.sideOutput };
}

function nameOf(plan: JobPlan, id: NodeId): string {
  return plan.nodes.find((node) => node.id === id)?.name ?? `#${id}`;
}
