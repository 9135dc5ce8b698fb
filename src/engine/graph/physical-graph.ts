import type { InputEdge, JobPlan, NodeId, PlanNode } from '../../plan/nodes.ts';
import { validatePlan } from './validate-plan.ts';

/** How records cross an edge that is not chained; 'forward' only between equal parallelisms. */
export type ExchangeMode = 'forward' | 'rebalance' | 'broadcast' | 'keyed' | 'global';

/** A group of plan nodes that run in one subtask, calling each other synchronously. */
export interface PhysicalTask {
  readonly id: number;
  /** Node names joined by " -> ", for logs and errors. */
  readonly name: string;
  readonly parallelism: number;
  /** In plan order; the first is the head (the only one fed by channels). */
  readonly nodes: readonly PlanNode[];
}

/** An edge between two tasks, carried by channels. */
export interface PhysicalExchange {
  readonly from: PlanNode;
  readonly to: PlanNode;
  readonly edge: InputEdge;
  readonly mode: ExchangeMode;
}

export interface PhysicalGraph {
  readonly plan: JobPlan;
  readonly tasks: readonly PhysicalTask[];
  readonly exchanges: readonly PhysicalExchange[];
  parallelismOf(id: NodeId): number;
}

/**
 * Turns a plan into tasks and exchanges. A node joins its input's task (is chained) when it has
 * exactly one input edge, that edge is 'forward' on the main output, and both sides have the same
 * parallelism. An upstream node may feed several chained nodes (the task is then a tree, like Flink's
 * chains with several outputs). Every other edge becomes an exchange; a 'forward' edge between
 * different parallelisms is carried as 'rebalance'. Throws ENG_INVALID_JOB listing every problem.
 *
 * @example
 * const graph = buildPhysicalGraph(plan);
 * graph.tasks.map((task) => task.name); // ['clicks -> parse -> valid', 'count per user -> print']
 */
export function buildPhysicalGraph(plan: JobPlan): PhysicalGraph {
  const parallelism = validatePlan(plan);
  const nodesById = new Map<NodeId, PlanNode>(plan.nodes.map((node) => [node.id, node]));
  const taskOf = new Map<NodeId, PlanNode[]>();
  const taskNodes: PlanNode[][] = [];
  const exchanges: PhysicalExchange[] = [];

  for (const node of plan.nodes) {
    if (isChained(node, parallelism)) {
      const members = taskOf.get(node.inputs[0].from)!;
      members.push(node);
      taskOf.set(node.id, members);
      continue;
    }
    const members = [node];
    taskNodes.push(members);
    taskOf.set(node.id, members);
    for (const edge of node.inputs) {
      const from = nodesById.get(edge.from)!;
      exchanges.push({ from, to: node, edge, mode: exchangeMode(edge, parallelism, node.id) });
    }
  }

  const tasks = taskNodes.map((nodes, id) => ({
    id,
    name: nodes.map((node) => node.name).join(' -> '),
    parallelism: parallelism.get(nodes[0].id)!,
    nodes,
  }));
  return { plan, tasks, exchanges, parallelismOf: (id) => parallelism.get(id)! };
}

function isChained(node: PlanNode, parallelism: ReadonlyMap<NodeId, number>): boolean {
  if (node.inputs.length !== 1) return false;
  const edge = node.inputs[0];
  return (
    edge.partitioning.kind === 'forward' &&
    edge.sideOutput === undefined &&
    parallelism.get(edge.from) === parallelism.get(node.id)
  );
}

function exchangeMode(edge: InputEdge, parallelism: ReadonlyMap<NodeId, number>, to: NodeId): ExchangeMode {
  const kind = edge.partitioning.kind;
  if (kind === 'forward' && parallelism.get(edge.from) !== parallelism.get(to)) return 'rebalance';
  return kind;
}
