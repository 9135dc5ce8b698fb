import type { PlanNodeOf } from '../../../plan/nodes.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
} from '../../../plan/state.ts';
import type { TimestampedValue } from '../../../plan/windows.ts';
import type { KeyedStateBackend } from '../../../state/backend.ts';

/**
 * How a window keeps what it has seen: with an evictor, every element with its timestamp ('buffer');
 * with only a process function, the elements ('list'); otherwise the running reduce or aggregate.
 */
export type ContentsMode = 'buffer' | 'list' | 'reduce' | 'aggregate';

const BUFFER: ListStateDescriptor<TimestampedValue<unknown>> = { kind: 'list', name: '__window-buffer' };
const ELEMENTS: ListStateDescriptor<unknown> = { kind: 'list', name: '__window-elements' };

/** A window's contents in keyed state, one namespace per window (the backend's current key applies). */
export class WindowContents {
  readonly mode: ContentsMode;
  private readonly backend: KeyedStateBackend;
  private readonly reducing: ReducingStateDescriptor<unknown> | undefined;
  private readonly aggregating: AggregatingStateDescriptor<unknown, unknown, unknown> | undefined;

  constructor(node: PlanNodeOf<'window'>, backend: KeyedStateBackend) {
    this.backend = backend;
    this.mode = node.evictor ? 'buffer' : node.reduce ? 'reduce' : node.aggregate ? 'aggregate' : 'list';
    this.reducing = node.reduce && { kind: 'reducing', name: '__window-reduce', reduce: node.reduce };
    this.aggregating = node.aggregate && {
      kind: 'aggregating',
      name: '__window-aggregate',
      aggregate: node.aggregate,
    };
  }

  add(namespace: string, value: unknown, timestamp: number): void {
    const store = this.backend.store(namespace);
    switch (this.mode) {
      case 'buffer':
        store.getListState(BUFFER).add({ value, timestamp });
        break;
      case 'list':
        store.getListState(ELEMENTS).add(value);
        break;
      case 'reduce':
        store.getReducingState(this.reducing!).add(value);
        break;
      case 'aggregate':
        store.getAggregatingState(this.aggregating!).add(value);
        break;
    }
  }

  /** 'list' mode: the elements so far. */
  elements(namespace: string): readonly unknown[] {
    return this.backend.store(namespace).getListState(ELEMENTS).get();
  }

  /** 'buffer' mode: the elements with their timestamps, in arrival order. */
  buffered(namespace: string): readonly TimestampedValue<unknown>[] {
    return this.backend.store(namespace).getListState(BUFFER).get();
  }

  replaceBuffered(namespace: string, elements: readonly TimestampedValue<unknown>[]): void {
    this.backend.store(namespace).getListState(BUFFER).update(elements);
  }

  /** 'reduce' / 'aggregate' mode: the reduced value or aggregate result; undefined when empty. */
  result(namespace: string): unknown {
    const store = this.backend.store(namespace);
    return this.mode === 'reduce'
      ? store.getReducingState(this.reducing!).get()
      : store.getAggregatingState(this.aggregating!).get();
  }

  clear(namespace: string): void {
    const store = this.backend.store(namespace);
    switch (this.mode) {
      case 'buffer':
        store.getListState(BUFFER).clear();
        break;
      case 'list':
        store.getListState(ELEMENTS).clear();
        break;
      case 'reduce':
        store.getReducingState(this.reducing!).clear();
        break;
      case 'aggregate':
        store.getAggregatingState(this.aggregating!).clear();
        break;
    }
  }
}
