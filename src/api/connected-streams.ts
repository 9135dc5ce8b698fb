import type { KeyedCoProcessFunction, KeySelector } from '../plan/functions.ts';
import { DataStream } from './data-stream.ts';
import type { CoProcessFunctionArg } from './function-types.ts';
import { requireFunction } from './ops/checks.ts';
import { addCoProcess, addKeyedCoProcess } from './ops/operators.ts';
import { type StreamRef, withPartitioning } from './ops/stream-ref.ts';

/**
 * Two streams of possibly different types, side by side (Flink's ConnectedStreams): one operator reads
 * both, input 1 on port 0 and input 2 on port 1.
 *
 * @example
 * const both: ConnectedStreams<Order, Payment> = orders.connect(payments);
 */
export class ConnectedStreams<A, B> {
  protected readonly first: StreamRef;
  protected readonly second: StreamRef;

  /** Made by DataStream.connect. */
  constructor(first: StreamRef, second: StreamRef) {
    this.first = first;
    this.second = second;
  }

  /**
   * A CoProcessFunction over both inputs. Give R explicitly or type `out`.
   *
   * @example
   * orders.connect(cancellations).process<Order>({
   *   processElement1(order, _ctx, out) { out.collect(order); },
   *   processElement2(_cancel, _ctx, _out) {},
   * });
   */
  process<R>(fn: CoProcessFunctionArg<A, B, R>): DataStream<R> {
    return new DataStream<R>(addCoProcess(this.first, this.second, fn));
  }

  /**
   * Partitions both inputs by keys of the same type, so each key's elements of both meet in one subtask
   * with shared keyed state and timers.
   *
   * @example
   * orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId)
   */
  keyBy<K>(key1: KeySelector<A, K>, key2: KeySelector<B, K>): ConnectedKeyedStreams<A, B, K> {
    requireFunction(key1, 'the key selector of the first input');
    requireFunction(key2, 'the key selector of the second input');
    return new ConnectedKeyedStreams<A, B, K>(
      withPartitioning(this.first, { kind: 'keyed', key: key1 as KeySelector<unknown, unknown> }),
      withPartitioning(this.second, { kind: 'keyed', key: key2 as KeySelector<unknown, unknown> }),
    );
  }
}

/**
 * Connected streams partitioned by a key of type K on both sides.
 *
 * @example
 * const matched = orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process(matchPayments);
 */
export class ConnectedKeyedStreams<A, B, K> extends ConnectedStreams<A, B> {
  /**
   * A KeyedCoProcessFunction: both inputs share the key's state and timers.
   *
   * @example
   * keyedBoth.process<Matched>({
   *   open(ctx) { pending = ctx.state.getState(valueState<Order>('pending-order')); },
   *   processElement1(order) { pending.update(order); },
   *   processElement2(payment, _ctx, out) { const o = pending.value(); if (o) out.collect({ order: o, payment }); },
   * });
   */
  override process<R>(fn: KeyedCoProcessFunction<K, A, B, R>): DataStream<R> {
    return new DataStream<R>(addKeyedCoProcess(this.first, this.second, fn));
  }
}
