import type { NodeId } from '../../plan/nodes.ts';
import { invalidArgument, requireName, requirePositiveInteger } from './checks.ts';
import type { JobGraph } from './job-graph.ts';

/** name(), uid() and setParallelism() of streams and sinks: they change the node that produced the stream. */

export function setNodeName(graph: JobGraph, id: NodeId, name: string): void {
  graph.node(id).name = requireName(name, 'an operator name');
}

/** A uid matches operator state in savepoints, so two operators of one job may not share one. */
export function setNodeUid(graph: JobGraph, id: NodeId, uid: string): void {
  requireName(uid, 'an operator uid');
  const owner = graph.nodes.find((node) => node.uid === uid && node.id !== id);
  if (owner !== undefined) {
    throw invalidArgument(
      `uid "${uid}" is already used by ${graph.describe(owner.id)}; every operator needs its own uid`,
      { uid },
    );
  }
  graph.node(id).uid = uid;
}

export function setNodeParallelism(graph: JobGraph, id: NodeId, parallelism: number): void {
  requirePositiveInteger(parallelism, 'parallelism');
  const node = graph.node(id);
  if (node.singleSubtask !== undefined && parallelism !== 1) {
    throw invalidArgument(
      `${graph.describe(id)} always runs with parallelism 1 (${node.singleSubtask}); setParallelism(${parallelism}) is not possible`,
      { parallelism },
    );
  }
  node.parallelism = parallelism;
}
