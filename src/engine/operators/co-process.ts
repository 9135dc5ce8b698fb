import type { CoProcessFunction } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { BatchCollector, ElementContext } from './collectors.ts';
import { closeFunction, openFunction } from './rich-function.ts';

/** Two inputs: batches from port 0 go to processElement1, from port 1 to processElement2. */
class CoProcessOperator implements Operator<unknown, unknown> {
  private readonly fn: CoProcessFunction<unknown, unknown, unknown>;
  private readonly name: string;
  private readonly out = new BatchCollector();
  private context!: ElementContext;
  private output!: Output<unknown>;

  constructor(node: PlanNodeOf<'co-process'>) {
    this.fn = node.fn;
    this.name = node.name;
  }

  open(ctx: OperatorContext<unknown>): Promise<void> {
    this.output = ctx.output;
    this.context = new ElementContext(ctx);
    return openFunction(this.fn, ctx.runtime, this.name);
  }

  processBatch(batch: Batch<unknown>, port: number): void {
    const input = batch.values;
    const { fn, out, context } = this;
    let i = 0;
    try {
      for (; i < input.length; i++) {
        const timestamp = batch.timestamps[i];
        out.timestamp = timestamp;
        context.timestamp = timestamp;
        if (port === 0) fn.processElement1(input[i], context, out);
        else fn.processElement2(input[i], context, out);
      }
    } catch (cause) {
      throw userFunctionFailed(this.name, input[i], cause);
    }
    const result = out.take();
    if (result !== undefined) this.output.emit(result);
    context.emitSides(this.output);
  }

  close(): Promise<void> {
    return closeFunction(this.fn, this.name);
  }
}

/**
 * @example
 * createCoProcessOperator({ kind: 'co-process', id: 6, name: 'join rules', inputs: [clicks, rules], fn });
 */
export function createCoProcessOperator(node: PlanNodeOf<'co-process'>): Operator<unknown, unknown> {
  return new CoProcessOperator(node);
}
