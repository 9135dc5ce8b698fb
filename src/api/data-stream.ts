import type { BadRecordPolicy, SinkDescriptor } from '../plan/connectors.ts';
import type { FilterFunction, FlatMapFunction, KeySelector, MapFunction } from '../plan/functions.ts';
import type { OutputTag } from '../plan/output-tag.ts';
import type { WatermarkStrategySpec } from '../plan/watermarks.ts';
import type { WindowAssignerSpec } from '../plan/windows.ts';
import { AllWindowedStream } from './all-windowed-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { DataStreamSink } from './data-stream-sink.ts';
import type { ProcessFunctionArg } from './function-types.ts';
import type { KeyedStream } from './keyed-stream.ts';
import { invalidArgument, requireFunction } from './ops/checks.ts';
import { addSink } from './ops/connectors.ts';
import { setNodeName, setNodeParallelism, setNodeUid } from './ops/node-settings.ts';
import { addAssignWatermarks, addFilter, addFlatMap, addMap, addProcess, addUnion } from './ops/operators.ts';
import { mainOutput, requireSameGraph, type StreamRef, withPartitioning } from './ops/stream-ref.ts';

/** Node kinds whose functions get a context with output(tag, value), or that route late data. */
const SIDE_OUTPUT_KINDS: readonly string[] = [
  'process',
  'keyed-process',
  'co-process',
  'keyed-co-process',
  'window',
];

/**
 * A stream of elements of type T: Flink's DataStream. Transformations add an operator to the job and
 * return the stream it produces; nothing runs until the plan is executed.
 *
 * @example
 * env.fromElements(1, 2, 3).map((n) => n * 2).filter((n) => n > 2).print();
 */
export class DataStream<T> {
  /** The node this stream is the output of; an implementation detail shared with the other facade classes. */
  protected readonly ref: StreamRef;

  /** Streams come from a StreamEnvironment (fromSource, fromElements...) and from transformations. */
  constructor(ref: StreamRef) {
    this.ref = ref;
  }

  /**
   * One output element per input element.
   *
   * @example
   * const lengths: DataStream<number> = lines.map((line) => line.length);
   */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return new DataStream<R>(addMap(this.ref, fn));
  }

  /**
   * Keeps the elements for which `fn` returns true.
   *
   * @example
   * lines.filter((line) => line.startsWith('ERROR'));
   */
  filter(fn: FilterFunction<T>): DataStream<T> {
    return new DataStream<T>(addFilter(this.ref, fn));
  }

  /**
   * Zero or more output elements per input element.
   *
   * @example
   * lines.flatMap<string>((line, out) => { for (const word of line.split(' ')) out.collect(word); });
   */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return new DataStream<R>(addFlatMap(this.ref, fn));
  }

  /**
   * A ProcessFunction: per element, with its timestamp and side outputs. Keyed state and timers need
   * keyBy first (KeyedStream.process). Give R explicitly or type `out`, since it cannot be inferred
   * from calls inside the function.
   *
   * @example
   * orders.process<Order>({ processElement(o, ctx, out) { o.total > 0 ? out.collect(o) : ctx.output(bad, o); } });
   */
  process<R>(fn: ProcessFunctionArg<T, R>): DataStream<R> {
    return new DataStream<R>(addProcess(this.ref, fn));
  }

  /**
   * Partitions the stream by key: keyed state, timers, rolling aggregations and windows are per key.
   *
   * @example
   * clicks.keyBy((click) => click.userId).window(TumblingEventTimeWindows.of(Time.minutes(1)))
   */
  keyBy<K>(key: KeySelector<T, K>): KeyedStream<T, K> {
    requireFunction(key, 'the key selector');
    return this.ref.graph.streams.keyed(this.ref, key);
  }

  /**
   * Merges streams of the same type into one (no order between them).
   *
   * @example
   * webClicks.union(appClicks, kioskClicks).print();
   */
  union(...others: DataStream<T>[]): DataStream<T> {
    return new DataStream<T>(
      addUnion(
        this.ref,
        others.map((other) => other.ref),
      ),
    );
  }

  /**
   * Pairs this stream with another of any type, for a CoProcessFunction (or, after keyBy, shared keyed state).
   *
   * @example
   * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process(matchPayments)
   */
  connect<U>(other: DataStream<U>): ConnectedStreams<T, U> {
    requireSameGraph(this.ref, other.ref, 'connect');
    return new ConnectedStreams<T, U>(this.ref, other.ref);
  }

  /**
   * Assigns event timestamps and watermarks here instead of at the source.
   *
   * @example
   * parsed.assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.ts))
   */
  assignTimestampsAndWatermarks(
    watermarks: WatermarkStrategySpec<T>,
    options: { readonly badRecords?: BadRecordPolicy } = {},
  ): DataStream<T> {
    return new DataStream<T>(addAssignWatermarks(this.ref, watermarks, options.badRecords));
  }

  /**
   * The elements this stream's operator sent to `tag` (ctx.output in a process function, or late data
   * of a window with sideOutputLateData).
   *
   * @example
   * const invalid = outputTag<Order>('invalid');
   * validated.getSideOutput(invalid).sinkTo(kafkaSink<Order>({ topic: 'invalid-orders', format: 'json' }));
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (typeof tag !== 'object' || tag === null || typeof tag.id !== 'string') {
      throw invalidArgument("getSideOutput() needs an output tag, e.g. outputTag<Order>('invalid')");
    }
    const { graph, node } = this.ref;
    if (this.ref.sideOutput !== undefined) {
      throw invalidArgument(
        `getSideOutput('${tag.id}') was called on a side output; call it on the operator's stream`,
      );
    }
    const kind = graph.node(node).spec.kind;
    if (!SIDE_OUTPUT_KINDS.includes(kind)) {
      throw invalidArgument(
        `${graph.describe(node)} is a ${kind} operator, which has no side outputs; only process functions and windows (sideOutputLateData) emit them`,
      );
    }
    return new DataStream<X>({ ...mainOutput(graph, node), sideOutput: tag.id });
  }

  /** The next operator reads this stream round-robin over its subtasks. @example stream.rebalance().map(parse) */
  rebalance(): DataStream<T> {
    return new DataStream<T>(withPartitioning(this.ref, { kind: 'rebalance' }));
  }

  /** Every subtask of the next operator gets every element. @example rules.broadcast().connect(events) */
  broadcast(): DataStream<T> {
    return new DataStream<T>(withPartitioning(this.ref, { kind: 'broadcast' }));
  }

  /** Everything goes to subtask 0 of the next operator. @example totals.global().map(format) */
  global(): DataStream<T> {
    return new DataStream<T>(withPartitioning(this.ref, { kind: 'global' }));
  }

  /**
   * Subtask i feeds subtask i of the next operator; both must have the same parallelism (toPlan checks).
   *
   * @example
   * parsed.forward().filter(isValid)
   */
  forward(): DataStream<T> {
    return new DataStream<T>(withPartitioning(this.ref, { kind: 'forward' }));
  }

  /**
   * Windows over the whole stream, not per key; they run in one subtask (parallelism 1).
   *
   * @example
   * clicks.windowAll(TumblingEventTimeWindows.of(Time.minutes(1))).count()
   */
  windowAll(assigner: WindowAssignerSpec<T>): AllWindowedStream<T> {
    return new AllWindowedStream<T>(withPartitioning(this.ref, { kind: 'global' }), assigner);
  }

  /**
   * Writes the stream to a sink (Kafka, files, Postgres...).
   *
   * @example
   * results.sinkTo(kafkaSink<Result>({ topic: 'results', format: 'json' })).name('results to Kafka');
   */
  sinkTo(sink: SinkDescriptor<T>): DataStreamSink<T> {
    return new DataStreamSink<T>(this.ref.graph, addSink(this.ref, sink as SinkDescriptor<unknown>));
  }

  /**
   * Prints every element to standard output, after `prefix` if given.
   *
   * @example
   * counts.print('count');
   */
  print(prefix?: string): DataStreamSink<T> {
    return this.sinkTo({ connector: 'print', config: { prefix } });
  }

  /**
   * Names the operator that produces this stream (shown in errors, metrics and the dashboard).
   *
   * @example
   * lines.filter(isError).name('errors only')
   */
  name(name: string): this {
    setNodeName(this.ref.graph, this.ref.node, name);
    return this;
  }

  /**
   * A stable id for the operator's state in savepoints; set it on stateful operators you will upgrade.
   *
   * @example
   * counts.uid('word-counts-v1')
   */
  uid(uid: string): this {
    setNodeUid(this.ref.graph, this.ref.node, uid);
    return this;
  }

  /**
   * Runs the operator that produces this stream with `parallelism` subtasks instead of the job's default.
   *
   * @example
   * parsed.map(enrich).setParallelism(4)
   */
  setParallelism(parallelism: number): this {
    setNodeParallelism(this.ref.graph, this.ref.node, parallelism);
    return this;
  }
}
