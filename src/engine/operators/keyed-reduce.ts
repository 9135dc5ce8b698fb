import type { KeySelector, ReduceFunction } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { ValueState } from '../../plan/state.ts';
import type { KeyedStateBackend } from '../../state/backend.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { keySelectorFor } from './keyed/key-selector.ts';
import { KeyedRuntime } from './keyed/keyed-runtime.ts';

class KeyedReduceOperator implements Operator<unknown, unknown> {
  private readonly name: string;
  private readonly fn: ReduceFunction<unknown>;
  private readonly keyOf: KeySelector<unknown, unknown>;
  private backend!: KeyedStateBackend;
  private state!: ValueState<unknown>;
  private output!: Output<unknown>;

  constructor(node: PlanNodeOf<'keyed-reduce'>) {
    this.name = node.name;
    this.fn = node.fn;
    this.keyOf = keySelectorFor(node, 0);
  }

  open(ctx: OperatorContext<unknown>): void {
    this.backend = new KeyedRuntime(ctx).backend;
    this.state = this.backend.store().getState({ kind: 'value', name: '__reduce' });
    this.output = ctx.output;
  }

  processBatch(batch: Batch<unknown>): void {
    const input = batch.values;
    if (input.length === 0) return;
    const { fn, keyOf, backend, state } = this;
    const values = new Array<unknown>(input.length);
    let i = 0;
    try {
      for (; i < input.length; i++) {
        const value = input[i];
        backend.setCurrentKey(keyOf(value));
        const previous = state.value();
        const next = previous === undefined ? value : fn(previous, value);
        state.update(next);
        values[i] = next;
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    this.output.emit({ values, timestamps: batch.timestamps });
  }
}

/**
 * Rolling reduce per key: for every element, emits the key's value reduced so far (with the element's
 * timestamp).
 *
 * @example
 * createKeyedReduceOperator({ kind: 'keyed-reduce', id: 2, name: 'max', inputs, fn: (a, b) => (a > b ? a : b) });
 */
export function createKeyedReduceOperator(node: PlanNodeOf<'keyed-reduce'>): Operator<unknown, unknown> {
  return new KeyedReduceOperator(node);
}
