import type { KeySelector } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { AggregateFunction, ValueState } from '../../plan/state.ts';
import type { KeyedStateBackend } from '../../state/backend.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { keySelectorFor } from './keyed/key-selector.ts';
import { KeyedRuntime } from './keyed/keyed-runtime.ts';

class KeyedAggregateOperator implements Operator<unknown, unknown> {
  private readonly name: string;
  private readonly fn: AggregateFunction<unknown, unknown, unknown>;
  private readonly keyOf: KeySelector<unknown, unknown>;
  private backend!: KeyedStateBackend;
  private state!: ValueState<unknown>;
  private output!: Output<unknown>;

  constructor(node: PlanNodeOf<'keyed-aggregate'>) {
    this.name = node.name;
    this.fn = node.fn;
    this.keyOf = keySelectorFor(node, 0);
  }

  open(ctx: OperatorContext<unknown>): void {
    this.backend = new KeyedRuntime(ctx).backend;
    // The accumulator is kept (not the result), so the next element continues from it.
    this.state = this.backend.store().getState({ kind: 'value', name: '__aggregate' });
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
        const accumulator = fn.add(value, previous === undefined ? fn.createAccumulator() : previous);
        state.update(accumulator);
        values[i] = fn.getResult(accumulator);
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    this.output.emit({ values, timestamps: batch.timestamps });
  }
}

/**
 * Rolling aggregate per key: for every element, emits the key's current result (with the element's
 * timestamp).
 *
 * @example
 * createKeyedAggregateOperator({ kind: 'keyed-aggregate', id: 2, name: 'count', inputs, fn: countFn });
 */
export function createKeyedAggregateOperator(
  node: PlanNodeOf<'keyed-aggregate'>,
): Operator<unknown, unknown> {
  return new KeyedAggregateOperator(node);
}
