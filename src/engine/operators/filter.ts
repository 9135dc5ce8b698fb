import type { FilterFunction } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';

/** Keeps the elements the predicate accepts; passes the batch on unchanged when it accepts them all. */
class FilterOperator implements Operator<unknown, unknown> {
  private readonly fn: FilterFunction<unknown>;
  private readonly name: string;
  private output!: Output<unknown>;
  private kept = new Int32Array(0);

  constructor(node: PlanNodeOf<'filter'>) {
    this.fn = node.fn;
    this.name = node.name;
  }

  open(ctx: OperatorContext<unknown>): void {
    this.output = ctx.output;
  }

  processBatch(batch: Batch<unknown>): void {
    const input = batch.values;
    const inputTimestamps = batch.timestamps;
    const count = input.length;
    const fn = this.fn;
    // Indexes of kept elements first, so the output arrays are allocated once at their final size.
    if (this.kept.length < count) this.kept = new Int32Array(count);
    const kept = this.kept;
    let n = 0;
    let i = 0;
    try {
      for (; i < count; i++) if (fn(input[i])) kept[n++] = i;
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    if (n === count) {
      this.output.emit(batch);
      return;
    }
    const values = new Array<unknown>(n);
    const timestamps = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const at = kept[j];
      values[j] = input[at];
      timestamps[j] = inputTimestamps[at];
    }
    this.output.emit({ values, timestamps });
  }
}

/**
 * @example
 * createFilterOperator({ kind: 'filter', id: 2, name: 'valid', inputs, fn: (x) => x !== null });
 */
export function createFilterOperator(node: PlanNodeOf<'filter'>): Operator<unknown, unknown> {
  return new FilterOperator(node);
}
