import type { MapFunction } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';

/** One output per element, with the element's timestamp (the timestamps array is shared, not copied). */
class MapOperator implements Operator<unknown, unknown> {
  private readonly fn: MapFunction<unknown, unknown>;
  private readonly name: string;
  private output!: Output<unknown>;

  constructor(node: PlanNodeOf<'map'>) {
    this.fn = node.fn;
    this.name = node.name;
  }

  open(ctx: OperatorContext<unknown>): void {
    this.output = ctx.output;
  }

  processBatch(batch: Batch<unknown>): void {
    const input = batch.values;
    const count = input.length;
    const fn = this.fn;
    const values = new Array<unknown>(count);
    let i = 0;
    try {
      for (; i < count; i++) values[i] = fn(input[i]);
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    this.output.emit({ values, timestamps: batch.timestamps });
  }
}

/**
 * @example
 * createMapOperator({ kind: 'map', id: 1, name: 'double', inputs, fn: (x) => (x as number) * 2 });
 */
export function createMapOperator(node: PlanNodeOf<'map'>): Operator<unknown, unknown> {
  return new MapOperator(node);
}
