import type { KeySelector } from '../../../plan/functions.ts';
import type { ValueState } from '../../../plan/state.ts';
import type { KeyedStateBackend } from '../../../state/backend.ts';
import type { Batch } from '../../batch.ts';
import type { Operator, OperatorContext, Output } from '../../operator.ts';
import { userFunctionFailed } from '../../user-function-error.ts';
import { KeyedRuntime } from './keyed-runtime.ts';

/** How a rolling operator folds an element into its key's state, and what it emits from that state. */
export interface RollingFold {
  /** The key's new state; `previous` is undefined for the key's first element. */
  step(previous: unknown, value: unknown): unknown;
  result(state: unknown): unknown;
}

/**
 * Keyed reduce and keyed aggregate: per element, fold it into the key's one value state and emit the
 * result with the element's timestamp. `stateName` is what snapshots and `eddy state inspect` show.
 */
export class RollingOperator implements Operator<unknown, unknown> {
  private readonly name: string;
  private readonly keyOf: KeySelector<unknown, unknown>;
  private readonly stateName: string;
  private readonly fold: RollingFold;
  private backend!: KeyedStateBackend;
  private state!: ValueState<unknown>;
  private output!: Output<unknown>;

  constructor(name: string, keyOf: KeySelector<unknown, unknown>, stateName: string, fold: RollingFold) {
    this.name = name;
    this.keyOf = keyOf;
    this.stateName = stateName;
    this.fold = fold;
  }

  open(ctx: OperatorContext<unknown>): void {
    this.backend = new KeyedRuntime(ctx).backend;
    this.state = this.backend.store().getState({ kind: 'value', name: this.stateName });
    this.output = ctx.output;
  }

  processBatch(batch: Batch<unknown>): void {
    const input = batch.values;
    if (input.length === 0) return;
    const { fold, keyOf, backend, state } = this;
    const values = new Array<unknown>(input.length);
    let i = 0;
    try {
      for (; i < input.length; i++) {
        const value = input[i];
        backend.setCurrentKey(keyOf(value));
        const next = fold.step(state.value(), value);
        state.update(next);
        values[i] = fold.result(next);
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    this.output.emit({ values, timestamps: batch.timestamps });
  }
}
