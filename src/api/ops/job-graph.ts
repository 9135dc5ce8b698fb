import type { KeySelector } from '../../plan/functions.ts';
import type { JobConfig, NodeId, Partitioning, PlanNode, PlanNodeOf } from '../../plan/nodes.ts';
import type { TriggerSpec } from '../../plan/windows.ts';
import type { KeyedStream } from '../keyed-stream.ts';
import type { StreamRef } from './stream-ref.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NodeFields = 'id' | 'name' | 'uid' | 'parallelism' | 'inputs';

/** A window's trigger may be missing while the job is built; toPlan reports a global window without one. */
export type WindowNodeSpec = Omit<PlanNodeOf<'window'>, NodeFields | 'trigger'> & {
  readonly trigger?: TriggerSpec<unknown>;
};

/** What a node is, without the fields the graph manages (id, name, uid, parallelism, inputs). */
export type NodeSpec = DistributiveOmit<Exclude<PlanNode, { kind: 'window' }>, NodeFields> | WindowNodeSpec;

export interface DraftEdge {
  readonly from: NodeId;
  /** Undefined until toPlan: forward when both ends have the same parallelism, rebalance otherwise (Flink's rule). */
  readonly partitioning?: Partitioning;
  readonly sideOutput?: string;
  readonly port: 0 | 1;
}

/** A node while the job is being built: name, uid and parallelism can still change. */
export interface DraftNode {
  readonly id: NodeId;
  readonly spec: NodeSpec;
  name: string;
  uid?: string;
  parallelism?: number;
  /** Set when the node can only run as one subtask; says why (for the error when someone asks for more). */
  readonly singleSubtask?: string;
  readonly inputs: readonly DraftEdge[];
}

export type MutableJobConfig = { -readonly [P in keyof JobConfig]: JobConfig[P] };

/**
 * Makes KeyedStream objects for DataStream.keyBy. KeyedStream extends DataStream, so data-stream.ts
 * cannot import it at run time (the module cycle would evaluate the subclass first); the environment,
 * which imports both, hands this in.
 */
export interface StreamFactories {
  keyed<T, K>(ref: StreamRef, key: KeySelector<T, K>): KeyedStream<T, K>;
}

/** The job under construction, shared by the environment and every stream made from it. */
export class JobGraph {
  readonly config: MutableJobConfig;
  readonly streams: StreamFactories;
  readonly nodes: DraftNode[] = [];
  /** window()/windowAll() calls whose window got no function yet, with a description for the error. */
  readonly unfinishedWindows = new Map<object, string>();

  constructor(config: MutableJobConfig, streams: StreamFactories) {
    this.config = config;
    this.streams = streams;
  }

  add(
    spec: NodeSpec,
    name: string,
    inputs: readonly DraftEdge[],
    options: { parallelism?: number; singleSubtask?: string } = {},
  ): DraftNode {
    const node: DraftNode = { id: this.nodes.length, spec, name, inputs };
    if (options.parallelism !== undefined) node.parallelism = options.parallelism;
    const draft =
      options.singleSubtask === undefined ? node : { ...node, singleSubtask: options.singleSubtask };
    this.nodes.push(draft);
    return draft;
  }

  node(id: NodeId): DraftNode {
    const node = this.nodes[id];
    if (node === undefined) throw new RangeError(`no node ${id} in this job`);
    return node;
  }

  /** How messages name a node: `'Map' (node 3)`. */
  describe(id: NodeId): string {
    return `'${this.node(id).name}' (node ${id})`;
  }

  /** The parallelism the node will run with. */
  parallelismOf(id: NodeId): number {
    return this.node(id).parallelism ?? this.config.parallelism;
  }
}
