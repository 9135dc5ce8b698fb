import { StreamError } from '../../common/errors.ts';
import type { InputEdge, JobConfig, JobPlan, PlanNode } from '../../plan/nodes.ts';
import type { DraftEdge, DraftNode, JobGraph } from './job-graph.ts';
import { findProblems } from './validate.ts';

/**
 * Turns the graph into a JobPlan: validates it, resolves default partitionings and freezes the result.
 * Every call makes a new plan, so a job can keep building after toPlan.
 */
export function buildPlan(graph: JobGraph): JobPlan {
  const problems = findProblems(graph);
  if (problems.length > 0) {
    throw new StreamError(
      'ENG_INVALID_JOB',
      `job "${graph.config.jobName}" cannot run:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      { details: { jobName: graph.config.jobName, problems } },
    );
  }
  const nodes = graph.nodes.map((node) => toPlanNode(graph, node));
  return Object.freeze({
    config: Object.freeze({ ...graph.config }) as JobConfig,
    nodes: Object.freeze(nodes),
  });
}

function toPlanNode(graph: JobGraph, node: DraftNode): PlanNode {
  const inputs = Object.freeze(node.inputs.map((edge) => toInputEdge(graph, node, edge)));
  // findProblems has checked that every window has a trigger, which is what makes the spec a PlanNode.
  const planNode = {
    ...node.spec,
    id: node.id,
    name: node.name,
    ...(node.uid === undefined ? {} : { uid: node.uid }),
    ...(node.parallelism === undefined ? {} : { parallelism: node.parallelism }),
    inputs,
  } as PlanNode;
  return Object.freeze(planNode);
}

/** Flink's default: forward when both ends run with the same parallelism (so they can chain), else rebalance. */
function toInputEdge(graph: JobGraph, node: DraftNode, edge: DraftEdge): InputEdge {
  const partitioning =
    edge.partitioning ??
    (graph.parallelismOf(edge.from) === graph.parallelismOf(node.id)
      ? { kind: 'forward' as const }
      : { kind: 'rebalance' as const });
  return Object.freeze({
    from: edge.from,
    partitioning,
    port: edge.port,
    ...(edge.sideOutput === undefined ? {} : { sideOutput: edge.sideOutput }),
  });
}
