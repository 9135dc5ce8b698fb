import type { BadRecordPolicy, SinkDescriptor, SourceDescriptor } from '../../plan/connectors.ts';
import type {
  CoProcessFunction,
  FlatMapFunction,
  KeySelector,
  ProcessFunction,
} from '../../plan/functions.ts';
import {
  DEFAULT_JOB_CONFIG,
  type InputEdge,
  type JobConfig,
  type JobPlan,
  type NodeId,
  type Partitioning,
  type PlanNode,
} from '../../plan/nodes.ts';
import type { WatermarkStrategySpec } from '../../plan/watermarks.ts';

/** How a node reads one input, for the builder: the partitioning, a side output, the port. */
export interface EdgeOptions {
  readonly partitioning?: Partitioning;
  readonly sideOutput?: string;
  readonly port?: 0 | 1;
}

export interface NodeOptions extends EdgeOptions {
  readonly parallelism?: number;
}

type Input = NodeId | ({ readonly from: NodeId } & EdgeOptions);

/** Partitionings by name, for short test plans. */
export const keyed = (key: KeySelector<unknown, unknown>): Partitioning => ({ kind: 'keyed', key });
export const REBALANCE: Partitioning = { kind: 'rebalance' };
export const BROADCAST: Partitioning = { kind: 'broadcast' };
export const GLOBAL: Partitioning = { kind: 'global' };

/**
 * Builds JobPlans by hand for engine tests (the DataStream API lives elsewhere and is not a
 * dependency of the engine). Node ids follow insertion order, as in real plans.
 *
 * @example
 * const b = new PlanBuilder({ parallelism: 2 });
 * const src = b.source('numbers', numbers.descriptor);
 * b.sink('out', b.map('double', src, (x) => (x as number) * 2), out.descriptor);
 * executeJob(b.plan(), { connectors });
 */
export class PlanBuilder {
  private readonly nodes: PlanNode[] = [];
  private readonly config: JobConfig;

  constructor(config: Partial<JobConfig> = {}) {
    this.config = { ...DEFAULT_JOB_CONFIG, jobName: 'test job', ...config };
  }

  source(
    name: string,
    source: SourceDescriptor<unknown>,
    options: {
      watermarks?: WatermarkStrategySpec<unknown>;
      badRecords?: BadRecordPolicy;
      parallelism?: number;
    } = {},
  ): NodeId {
    return this.add({
      kind: 'source',
      name,
      inputs: [],
      source,
      watermarks: options.watermarks ?? { kind: 'none' },
      badRecords: options.badRecords ?? { kind: 'fail' },
      parallelism: options.parallelism,
    });
  }

  map(name: string, from: Input, fn: (value: unknown) => unknown, options: NodeOptions = {}): NodeId {
    return this.add({
      kind: 'map',
      name,
      fn,
      inputs: [edge(from, options)],
      parallelism: options.parallelism,
    });
  }

  filter(name: string, from: Input, fn: (value: unknown) => boolean, options: NodeOptions = {}): NodeId {
    return this.add({
      kind: 'filter',
      name,
      fn,
      inputs: [edge(from, options)],
      parallelism: options.parallelism,
    });
  }

  flatMap(
    name: string,
    from: Input,
    fn: FlatMapFunction<unknown, unknown>,
    options: NodeOptions = {},
  ): NodeId {
    return this.add({
      kind: 'flat-map',
      name,
      fn,
      inputs: [edge(from, options)],
      parallelism: options.parallelism,
    });
  }

  process(
    name: string,
    from: Input,
    fn: ProcessFunction<unknown, unknown>,
    options: NodeOptions = {},
  ): NodeId {
    return this.add({
      kind: 'process',
      name,
      fn,
      inputs: [edge(from, options)],
      parallelism: options.parallelism,
    });
  }

  assignWatermarks(
    name: string,
    from: Input,
    watermarks: WatermarkStrategySpec<unknown>,
    badRecords: BadRecordPolicy = { kind: 'fail' },
  ): NodeId {
    return this.add({ kind: 'assign-watermarks', name, watermarks, badRecords, inputs: [edge(from, {})] });
  }

  union(name: string, from: readonly Input[], options: NodeOptions = {}): NodeId {
    return this.add({
      kind: 'union',
      name,
      inputs: from.map((input) => edge(input, options)),
      parallelism: options.parallelism,
    });
  }

  coProcess(
    name: string,
    first: Input,
    second: Input,
    fn: CoProcessFunction<unknown, unknown, unknown>,
    options: NodeOptions = {},
  ): NodeId {
    const inputs = [edge(first, { ...options, port: 0 }), edge(second, { ...options, port: 1 })];
    return this.add({ kind: 'co-process', name, fn, inputs, parallelism: options.parallelism });
  }

  sink(name: string, from: Input, sink: SinkDescriptor<unknown>, options: NodeOptions = {}): NodeId {
    return this.add({
      kind: 'sink',
      name,
      sink,
      inputs: [edge(from, options)],
      parallelism: options.parallelism,
    });
  }

  /** Any node; the builder assigns the id. */
  add(node: DistributiveOmit<PlanNode, 'id'>): NodeId {
    const id = this.nodes.length;
    this.nodes.push({ ...node, id } as PlanNode);
    return id;
  }

  plan(): JobPlan {
    return { config: this.config, nodes: [...this.nodes] };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function edge(input: Input, options: EdgeOptions): InputEdge {
  const spec = typeof input === 'number' ? { from: input } : input;
  const merged = { ...options, ...spec };
  return {
    from: merged.from,
    partitioning: merged.partitioning ?? { kind: 'forward' },
    sideOutput: merged.sideOutput,
    port: merged.port ?? 0,
  };
}
