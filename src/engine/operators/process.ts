import type { ProcessFunction } from '../../plan/functions.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { userFunctionFailed } from '../user-function-error.ts';
import { BatchCollector, ElementContext } from './collectors.ts';
import { closeFunction, openFunction } from './rich-function.ts';

/**
 * Calls processElement per element with a reused context (timestamp, side outputs, current watermark
 * and processing time). Main output goes out as one batch per input batch, side outputs one per tag.
 */
class ProcessOperator implements Operator<unknown, unknown> {
  private readonly fn: ProcessFunction<unknown, unknown>;
  private readonly name: string;
  private readonly out = new BatchCollector();
  private context!: ElementContext;
  private output!: Output<unknown>;

  constructor(node: PlanNodeOf<'process'>) {
    this.fn = node.fn;
    this.name = node.name;
  }

  open(ctx: OperatorContext<unknown>): Promise<void> {
    this.output = ctx.output;
    this.context = new ElementContext(ctx);
    return openFunction(this.fn, ctx.runtime, this.name);
  }

  processBatch(batch: Batch<unknown>): void {
    const input = batch.values;
    const { fn, out, context } = this;
    let i = 0;
    try {
      for (; i < input.length; i++) {
        const timestamp = batch.timestamps[i];
        out.timestamp = timestamp;
        context.timestamp = timestamp;
        fn.processElement(input[i], context, out);
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
 * createProcessOperator({ kind: 'process', id: 5, name: 'route', inputs, fn: {
 *   processElement(v, ctx, out) { if (bad(v)) ctx.output(rejects, v); else out.collect(v); } } });
 */
export function createProcessOperator(node: PlanNodeOf<'process'>): Operator<unknown, unknown> {
  return new ProcessOperator(node);
}
