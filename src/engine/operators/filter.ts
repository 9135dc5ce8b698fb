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
    const values: unknown[] = [];
    const timestamps: number[] = [];
    let i = 0;
    try {
      for (; i < count; i++) {
        if (fn(input[i])) {
          values.push(input[i]);
          timestamps.push(inputTimestamps[i]);
        }
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    this.output.emit(values.length === count ? batch : { values, timestamps });
  }
}

/**
 * @example
 * createFilterOperator({ kind: 'filter', id: 2, name: 'valid', inputs, fn: (x) => x !== null });
 */
export function createFilterOperator(node: PlanNodeOf<'filter'>): Operator<unknown, unknown> {
  return new FilterOperator(node);
}
