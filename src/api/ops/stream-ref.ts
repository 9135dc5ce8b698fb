import type { NodeId, Partitioning } from '../../plan/nodes.ts';
import { invalidArgument } from './checks.ts';
import type { DraftEdge, JobGraph } from './job-graph.ts';

/**
 * What a stream object points at: the node whose output it is, which output (main or a side output),
 * and how the next operator reads it (the partitioning of the next edge; undefined = the default).
 */
export interface StreamRef {
  readonly graph: JobGraph;
  readonly node: NodeId;
  readonly sideOutput?: string;
  readonly partitioning?: Partitioning;
}

export function mainOutput(graph: JobGraph, node: NodeId): StreamRef {
  return { graph, node };
}

export function withPartitioning(ref: StreamRef, partitioning: Partitioning): StreamRef {
  return { ...ref, partitioning };
}

/** The edge an operator reading `ref` gets. */
export function edgeFrom(ref: StreamRef, port: 0 | 1 = 0): DraftEdge {
  return {
    from: ref.node,
    port,
    ...(ref.partitioning === undefined ? {} : { partitioning: ref.partitioning }),
    ...(ref.sideOutput === undefined ? {} : { sideOutput: ref.sideOutput }),
  };
}

/** Streams of two environments cannot meet in one operator. */
export function requireSameGraph(ref: StreamRef, other: StreamRef, operation: string): void {
  if (ref.graph !== other.graph) {
    throw invalidArgument(
      `${operation}: the other stream belongs to a different environment; build both from the same StreamEnvironment`,
    );
  }
}
