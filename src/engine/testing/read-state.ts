import type { KeyedStateStore, StateDescriptor } from '../../plan/state.ts';

/** A state's current value as plain data: lists as arrays, maps as Maps (both copies). */
export function readState(store: KeyedStateStore, descriptor: StateDescriptor): unknown {
  switch (descriptor.kind) {
    case 'value':
      return store.getState(descriptor).value();
    case 'list':
      return [...store.getListState(descriptor).get()];
    case 'map':
      return new Map(store.getMapState(descriptor).entries());
    case 'reducing':
      return store.getReducingState(descriptor).get();
    case 'aggregating':
      return store.getAggregatingState(descriptor).get();
  }
}
