import type { KeyedProcessFunction, KeySelector, ReduceFunction } from '../plan/functions.ts';
import type { AggregateFunction } from '../plan/state.ts';
import type { WindowAssignerSpec } from '../plan/windows.ts';
import { ConnectedKeyedStreams, type ConnectedStreams } from './connected-streams.ts';
import { DataStream } from './data-stream.ts';
import type { NumericField } from './function-types.ts';
import { sumReducer } from './ops/aggregations.ts';
import { addKeyedAggregate, addKeyedProcess, addKeyedReduce } from './ops/operators.ts';
import { requireSameGraph, type StreamRef, withPartitioning } from './ops/stream-ref.ts';
import { WindowedStream } from './windowed-stream.ts';

/**
 * A stream partitioned by key (Flink's KeyedStream): every operator after keyBy sees all elements of a
 * key in one subtask, and only here are keyed state, timers and windows available. The map/filter/...
 * of DataStream still work and read the stream partitioned by key.
 *
 * @example
 * const perUser: KeyedStream<Click, string> = clicks.keyBy((click) => click.userId);
 */
export class KeyedStream<T, K> extends DataStream<T> {
  /** The key selector, as the edges into keyed operators carry it. */
  protected readonly key: KeySelector<T, K>;

  /** Made by DataStream.keyBy. */
  constructor(ref: StreamRef, key: KeySelector<T, K>) {
    super(withPartitioning(ref, { kind: 'keyed', key: key as KeySelector<unknown, unknown> }));
    this.key = key;
  }

  /**
   * A KeyedProcessFunction: keyed state (ctx.state in open) and event/processing-time timers. Give R
   * explicitly or type `out`, since it cannot be inferred from calls inside the function.
   *
   * @example
   * clicks.keyBy((c) => c.userId).process<Alert>({
   *   open(ctx) { last = ctx.state.getState(valueState<number>('last-click')); },
   *   processElement(click, ctx, out) { ctx.timerService.registerEventTimeTimer(click.ts + 60_000); },
   *   onTimer(ts, ctx, out) { out.collect({ user: ctx.key, idleSince: ts }); },
   * });
   */
  override process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    return new DataStream<R>(addKeyedProcess(this.ref, fn));
  }

  /**
   * Rolling reduce: emits the reduced value of the key after every element.
   *
   * @example
   * wordCounts.keyBy((wc) => wc.word).reduce((a, b) => ({ word: a.word, count: a.count + b.count }))
   */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return new DataStream<T>(addKeyedReduce(this.ref, fn));
  }

  /**
   * Rolling aggregate: emits the key's current result after every element.
   *
   * @example
   * readings.keyBy((r) => r.sensor).aggregate(averageOf)   // AggregateFunction<Reading, Acc, number>
   */
  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): DataStream<R> {
    return new DataStream<R>(addKeyedAggregate(this.ref, fn));
  }

  /**
   * Rolling sum of a numeric field: the first element of the key with `field` summed so far.
   *
   * @example
   * wordCounts.keyBy((wc) => wc.word).sum('count')
   */
  sum(field: NumericField<T>): DataStream<T> {
    return this.reduce(sumReducer<T>(field));
  }

  /**
   * Groups each key's elements into windows; finish with reduce, aggregate or process.
   *
   * @example
   * clicks.keyBy((c) => c.page).window(TumblingEventTimeWindows.of(Time.minutes(1))).count()
   */
  window(assigner: WindowAssignerSpec<T>): WindowedStream<T, K> {
    return new WindowedStream<T, K>(this.ref, assigner);
  }

  /**
   * Connecting two keyed streams gives connected keyed streams (shared keyed state and timers per key);
   * connecting a non-keyed stream gives plain ConnectedStreams.
   *
   * @example
   * orders.keyBy((o) => o.id).connect(payments.keyBy((p) => p.orderId)).process(matchPayments)
   */
  override connect<U>(other: KeyedStream<U, K>): ConnectedKeyedStreams<T, U, K>;
  override connect<U>(other: DataStream<U>): ConnectedStreams<T, U>;
  override connect<U>(other: DataStream<U>): ConnectedStreams<T, U> {
    if (!(other instanceof KeyedStream)) return super.connect(other);
    requireSameGraph(this.ref, other.ref, 'connect');
    return new ConnectedKeyedStreams<T, U, K>(this.ref, other.ref);
  }
}
