import type { NodeId } from '../plan/nodes.ts';
import type { JobGraph } from './ops/job-graph.ts';
import { setNodeName, setNodeParallelism, setNodeUid } from './ops/node-settings.ts';

/**
 * The end of a stream: what sinkTo() and print() return. T is the element type the sink writes.
 *
 * @example
 * counts.sinkTo(kafkaSink<Count>({ topic: 'counts', format: 'json' })).name('counts').uid('counts-sink');
 */
export class DataStreamSink<T> {
  readonly #graph: JobGraph;
  readonly #node: NodeId;
  declare readonly __type?: (value: T) => void;

  /** Made by DataStream.sinkTo and DataStream.print. */
  constructor(graph: JobGraph, node: NodeId) {
    this.#graph = graph;
    this.#node = node;
  }

  /** @example stream.print().name('debug output') */
  name(name: string): this {
    setNodeName(this.#graph, this.#node, name);
    return this;
  }

  /** @example stream.sinkTo(sink).uid('orders-sink') */
  uid(uid: string): this {
    setNodeUid(this.#graph, this.#node, uid);
    return this;
  }

  /** @example stream.sinkTo(sink).setParallelism(2) */
  setParallelism(parallelism: number): this {
    setNodeParallelism(this.#graph, this.#node, parallelism);
    return this;
  }
}
