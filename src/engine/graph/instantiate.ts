import type { JobPlan, NodeId, PlanNode } from '../../plan/nodes.ts';
import { keyGroupRangeFor } from '../../state/key-groups.ts';
import { BadRecordRouter } from '../bad-records.ts';
import { ChainLink } from '../chain.ts';
import { Channel, type ChannelWriter } from '../channel.ts';
import { operatorUid } from '../checkpoint/manifest.ts';
import type { ConnectorResolver } from '../connector-resolver.ts';
import { createExchange } from '../exchange.ts';
import type { GateInput } from '../input-gate.ts';
import { createKeyedStateBackend } from '../keyed-state.ts';
import type { OperatorServices } from '../operator-services.ts';
import { OperatorSubtask } from '../operator-subtask.ts';
import { createOperator, isKeyedKind } from '../operators/registry.ts';
import { checkpointingContext, createSinkOperator } from '../sink-operator.ts';
import { SourceSubtask } from '../source-subtask.ts';
import type { Subtask, SubtaskEnv } from '../subtask.ts';
import { withOwnFunctions } from './own-functions.ts';
import type { PhysicalExchange, PhysicalGraph } from './physical-graph.ts';

export interface InstantiateOptions {
  readonly connectors: ConnectorResolver;
  readonly jobId: string;
  readonly bootstrap?: string;
  /** Where an lmdb backend keeps its working files (under the job's directory). */
  readonly stateDir?: string;
  /** Given when this thread runs only some of the subtasks (a worker thread's task slot). */
  readonly placement?: Placement;
}

/**
 * Which subtasks run in this thread, and the ends of channels to subtasks on other threads. Subtask
 * index i of every task runs in slot i (Flink's slot sharing), so a forward exchange never crosses.
 */
export interface Placement {
  isLocal(subtaskIndex: number): boolean;
  /** Exchange `exchange` (its index in graph.exchanges) from upstream subtask u to downstream d, when only one of them is local. */
  writer(exchange: number, upstream: number, downstream: number): ChannelWriter;
  reader(exchange: number, upstream: number, downstream: number): Channel;
}

/**
 * Builds the running form of a physical graph: one ChainLink (operator, context, metrics) per node and
 * subtask, chained links joined by direct calls, exchanges joined by channels, one Subtask per task
 * and subtask index. Nothing is opened here; connectors are created when their subtask opens.
 *
 * @example
 * const subtasks = instantiate(buildPhysicalGraph(plan), env, { connectors, jobId });
 * await Promise.all(subtasks.map((subtask) => subtask.run()));
 */
export function instantiate(graph: PhysicalGraph, env: SubtaskEnv, options: InstantiateOptions): Subtask[] {
  const isLocal = (index: number): boolean => options.placement?.isLocal(index) ?? true;
  const links = new Map<NodeId, ChainLink[]>();
  for (const node of graph.plan.nodes) {
    const parallelism = graph.parallelismOf(node.id);
    const perSubtask: ChainLink[] = [];
    for (let subtask = 0; subtask < parallelism; subtask++)
      if (isLocal(subtask))
        perSubtask[subtask] = createLink(node, subtask, parallelism, graph.plan, env, options);
    links.set(node.id, perSubtask);
  }

  const inputs = new Map<NodeId, GateInput[][]>();
  graph.exchanges.forEach((exchange, index) => {
    wireExchange({ exchange, index, graph, links, inputs, options, capacity: env.config.channelCapacity });
  });

  const subtasks: Subtask[] = [];
  for (const task of graph.tasks) {
    const head = task.nodes[0];
    for (let index = 0; index < task.parallelism; index++) {
      if (!isLocal(index)) continue;
      const chain = task.nodes.map((node) => links.get(node.id)![index]);
      for (const node of task.nodes.slice(1))
        links.get(node.inputs[0].from)![index].output.chained.push(links.get(node.id)![index]);
      const name = `${task.name} (${index + 1}/${task.parallelism})`;
      const subtask =
        head.kind === 'source'
          ? new SourceSubtask(name, head, chain, options, env)
          : new OperatorSubtask(name, chain, inputs.get(head.id)?.[index] ?? [], env);
      for (const link of chain) {
        link.host = subtask;
        for (const exchange of link.output.exchanges) subtask.outputChannels.push(...exchange.channels);
        for (const exchanges of link.output.sideExchanges.values())
          for (const exchange of exchanges) subtask.outputChannels.push(...exchange.channels);
      }
      subtasks.push(subtask);
    }
  }
  return subtasks;
}

function createLink(
  node: PlanNode,
  subtask: number,
  parallelism: number,
  plan: JobPlan,
  env: SubtaskEnv,
  options: InstantiateOptions,
): ChainLink {
  const { config, clock, metrics } = env;
  const link = new ChainLink(node, subtask, metrics.operator(node.id, node.name, subtask));
  const keyed = isKeyedKind(node.kind);
  const keyGroups = keyed ? keyGroupRangeFor(subtask, config.maxParallelism, parallelism) : undefined;
  if (keyGroups !== undefined)
    link.keyedState = createKeyedStateBackend({
      clock,
      keyGroups,
      maxParallelism: config.maxParallelism,
      backend: config.stateBackend,
      stateDir: options.stateDir,
      jobId: options.jobId,
      uid: operatorUid(node),
      subtaskIndex: subtask,
    });
  link.context = {
    output: link.output,
    runtime: { jobName: plan.config.jobName, operatorName: node.name, subtaskIndex: subtask, parallelism },
    clock,
    currentWatermark: () => link.watermark,
    requestProcessingTime: (time) => link.times.add(time),
    keyedState: link.keyedState,
    keyGroups,
    maxParallelism: config.maxParallelism,
  };
  if (node.kind === 'sink') {
    link.sink = createSinkOperator(node, { ...options, ...checkpointingContext(config) });
    link.operator = link.sink;
  } else if (node.kind !== 'source')
    link.operator = createOperator(
      withOwnFunctions(node),
      operatorServices(subtask, parallelism, env, options),
    );
  return link;
}

function operatorServices(
  subtask: number,
  parallelism: number,
  env: SubtaskEnv,
  options: InstantiateOptions,
): OperatorServices {
  return {
    watermarkInterval: env.config.watermarkInterval,
    badRecordRouter: (policy, operatorName) =>
      new BadRecordRouter({
        policy,
        operatorName,
        counts: env.metrics.badRecords,
        createSink: (descriptor) => options.connectors.createSink(descriptor),
        sinkContext: {
          jobName: env.config.jobName,
          jobId: options.jobId,
          operatorName: `${operatorName} (dead letters)`,
          subtaskIndex: subtask,
          parallelism,
          bootstrap: options.bootstrap,
        },
      }),
  };
}

interface WireArgs {
  readonly exchange: PhysicalExchange;
  /** The exchange's index in graph.exchanges: names its cross-thread channels. */
  readonly index: number;
  readonly graph: PhysicalGraph;
  readonly links: ReadonlyMap<NodeId, ChainLink[]>;
  readonly inputs: Map<NodeId, GateInput[][]>;
  readonly options: InstantiateOptions;
  readonly capacity: number;
}

/**
 * One channel per (upstream subtask, downstream subtask) pair the mode can route between. With a
 * placement, only pairs with a local end are wired: a Channel when both are local, else the local end
 * of a cross-thread channel.
 */
function wireExchange(args: WireArgs): void {
  const { exchange, index, graph, links, inputs, options, capacity } = args;
  const { from, to, edge, mode } = exchange;
  const placement = options.placement;
  const isLocal = (subtask: number): boolean => placement?.isLocal(subtask) ?? true;
  const upstream = graph.parallelismOf(from.id);
  const downstream = graph.parallelismOf(to.id);
  let gates = inputs.get(to.id);
  if (gates === undefined) {
    gates = Array.from({ length: downstream }, () => []);
    inputs.set(to.id, gates);
  }
  for (let u = 0; u < upstream; u++) {
    const targets: (ChannelWriter | undefined)[] = [];
    for (let d = 0; d < downstream; d++) {
      const routed = mode === 'forward' ? u === d : mode === 'global' ? d === 0 : true;
      if (!routed || !(isLocal(u) || isLocal(d))) {
        targets.push(undefined);
        continue;
      }
      if (isLocal(u) && isLocal(d)) {
        const channel = new Channel(capacity);
        gates[d].push({ channel, port: edge.port });
        targets.push(channel);
      } else if (isLocal(d)) {
        gates[d].push({ channel: placement!.reader(index, u, d), port: edge.port });
        targets.push(undefined);
      } else targets.push(placement!.writer(index, u, d));
    }
    if (!isLocal(u)) continue;
    const sender = createExchange({
      mode,
      targets,
      key: edge.partitioning.kind === 'keyed' ? edge.partitioning.key : undefined,
      maxParallelism: graph.plan.config.maxParallelism,
      operatorName: to.name,
    });
    const output = links.get(from.id)![u].output;
    if (edge.sideOutput === undefined) output.exchanges.push(sender);
    else {
      const list = output.sideExchanges.get(edge.sideOutput) ?? [];
      list.push(sender);
      output.sideExchanges.set(edge.sideOutput, list);
    }
  }
}
