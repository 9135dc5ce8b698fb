import type { FlatMapFunction } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { BatchCollector } from './collectors.ts';

/** Zero or more outputs per element, each with the element's timestamp; one output batch per input batch. */
class FlatMapOperator implements Operator<unknown, unknown> {
  private readonly fn: FlatMapFunction<unknown, unknown>;
  private readonly name: string;
  private readonly out = new BatchCollector();
  private output!: Output<unknown>;

  constructor(node: PlanNodeOf<'flat-map'>) {
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
    const out = this.out;
    let i = 0;
    try {
      for (; i < count; i++) {
        out.timestamp = batch.timestamps[i];
        fn(input[i], out);
      }
    } catch (cause) {
      out.take();
      throw userFunctionFailed(this.name, input[i], cause);
    }
    const result = out.take();
    if (result !== undefined) this.output.emit(result);
  }
}

/**
 * @example
 * createFlatMapOperator({ kind: 'flat-map', id: 3, name: 'words', inputs,
 *   fn: (line, out) => { for (const w of (line as string).split(' ')) out.collect(w); } });
 */
export function createFlatMapOperator(node: PlanNodeOf<'flat-map'>): Operator<unknown, unknown> {
  return new FlatMapOperator(node);
}
