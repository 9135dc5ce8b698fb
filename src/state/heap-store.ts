import type {
  AggregatingState,
  AggregatingStateDescriptor,
  KeyedStateStore,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../plan/state.ts';
import {
  type CellAccess,
  HeapAggregatingState,
  HeapListState,
  HeapMapState,
  HeapReducingState,
  HeapValueState,
} from './heap-handles.ts';
import type { StateTable } from './state-tables.ts';

/** What a store needs of its backend. */
export interface StoreHost {
  table(descriptor: StateDescriptor): StateTable;
}

/**
 * The state handles of one namespace. Handles are cached by state name, so asking again (even per
 * element) costs one Map lookup; the first descriptor of a name supplies its functions.
 */
export class HeapStore implements KeyedStateStore {
  private readonly host: StoreHost & CellAccess;
  private readonly namespace: string;
  private readonly handles = new Map<string, unknown>();

  constructor(host: StoreHost & CellAccess, namespace: string) {
    this.host = host;
    this.namespace = namespace;
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.handle(
      descriptor,
      (t) => new HeapValueState(this.host, t.id, this.namespace, t.ttl, descriptor.defaultValue),
    );
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.handle(descriptor, (t) => new HeapListState(this.host, t.id, this.namespace, t.ttl));
  }

  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.handle(descriptor, (t) => new HeapMapState(this.host, t.id, this.namespace, t.ttl));
  }

  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    const reduce = descriptor.reduce as (a: unknown, b: unknown) => unknown;
    return this.handle(
      descriptor,
      (t) => new HeapReducingState(this.host, t.id, this.namespace, t.ttl, reduce),
    );
  }

  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> {
    const fn = descriptor.aggregate as AggregatingStateDescriptor<unknown, unknown, unknown>['aggregate'];
    return this.handle(
      descriptor,
      (t) => new HeapAggregatingState(this.host, t.id, this.namespace, t.ttl, fn),
    );
  }

  private handle<H>(descriptor: { readonly name: string }, make: (table: StateTable) => unknown): H {
    const known = this.handles.get(descriptor.name);
    // The table lookup also rejects a second descriptor of the same name with another kind.
    const table = this.host.table(descriptor as StateDescriptor);
    if (known !== undefined) return known as H;
    const handle = make(table);
    this.handles.set(descriptor.name, handle);
    return handle as H;
  }
}
