import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';

/** Passes every batch of every input on unchanged; the task already merges the inputs' watermarks. */
class UnionOperator implements Operator<unknown, unknown> {
  private output!: Output<unknown>;

  open(ctx: OperatorContext<unknown>): void {
    this.output = ctx.output;
  }

  processBatch(batch: Batch<unknown>): void {
    this.output.emit(batch);
  }
}

/**
 * @example
 * createUnionOperator({ kind: 'union', id: 4, name: 'all clicks', inputs: [edgeA, edgeB] });
 */
export function createUnionOperator(_node: PlanNodeOf<'union'>): Operator<unknown, unknown> {
  return new UnionOperator();
}
