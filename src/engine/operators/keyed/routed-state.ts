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
  ValueState,
  ValueStateDescriptor,
} from '../../../plan/state.ts';
import type { KeyedStateBackend } from '../../../state/backend.ts';

/**
 * The keyed backend of the operator subtask whose code runs right now. The subtasks of one operator
 * share the user's function object, and a handle kept in a closure at open() (`let count; open(ctx) {
 * count = ctx.state.getState(...) }`) is whichever subtask opened last. Handles given to user code
 * therefore look up the running subtask's backend on every call; the chain link sets it around each
 * call into its operator (see ChainLink) — one thread runs one operator's code at a time.
 */
let running: KeyedStateBackend | undefined;

/** Makes `backend` the running one until the returned function restores the previous. */
export function enterKeyedState(backend: KeyedStateBackend | undefined): KeyedStateBackend | undefined {
  const previous = running;
  if (backend !== undefined) running = backend;
  return previous;
}

export function leaveKeyedState(previous: KeyedStateBackend | undefined): void {
  running = previous;
}

/** A KeyedStateStore for user code: each call goes to the running subtask's backend (or `own`). */
export function routedStore(own: KeyedStateBackend, namespace?: string): KeyedStateStore {
  const store = () => (running ?? own).store(namespace);
  return {
    getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
      const at = () => store().getState(descriptor);
      return { value: () => at().value(), update: (v) => at().update(v), clear: () => at().clear() };
    },
    getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
      const at = () => store().getListState(descriptor);
      return {
        get: () => at().get(),
        add: (v) => at().add(v),
        addAll: (vs) => at().addAll(vs),
        update: (vs) => at().update(vs),
        clear: () => at().clear(),
      };
    },
    getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
      const at = () => store().getMapState(descriptor);
      return {
        get: (k) => at().get(k),
        put: (k, v) => at().put(k, v),
        has: (k) => at().has(k),
        delete: (k) => at().delete(k),
        entries: () => at().entries(),
        keys: () => at().keys(),
        values: () => at().values(),
        isEmpty: () => at().isEmpty(),
        clear: () => at().clear(),
      };
    },
    getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
      const at = () => store().getReducingState(descriptor);
      return { get: () => at().get(), add: (v) => at().add(v), clear: () => at().clear() };
    },
    getAggregatingState<IN, ACC, OUT>(
      descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
    ): AggregatingState<IN, OUT> {
      const at = () => store().getAggregatingState(descriptor);
      return { get: () => at().get(), add: (v) => at().add(v), clear: () => at().clear() };
    },
  };
}
