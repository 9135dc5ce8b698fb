import { MAX_TIMESTAMP } from '../../common/time.ts';
import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { WatermarkGenerator } from '../../plan/watermarks.ts';
import type { BadRecordRouter } from '../bad-records.ts';
import type { Batch } from '../batch.ts';
import type { Operator, OperatorContext, Output } from '../operator.ts';
import { defaultOperatorServices, type OperatorServices } from '../operator-services.ts';
import { userHookFailed } from '../user-function-error.ts';
import { createWatermarkGenerator } from '../watermarks/generators.ts';
import { stampElements } from '../watermarks/timestamps.ts';

/**
 * assignTimestampsAndWatermarks in mid-stream: stamps elements like a source does (bad timestamps
 * follow the node's bad-record policy), runs one watermark generator per subtask and emits its
 * watermark every watermark interval of processing time (after every batch when the interval is 0).
 * Upstream watermarks are dropped, except the final MAX_TIMESTAMP at end of input. Idleness is not
 * generated here: an idle upstream is already passed on by the task.
 */
class AssignWatermarksOperator implements Operator<unknown, unknown> {
  private readonly node: PlanNodeOf<'assign-watermarks'>;
  private readonly services: OperatorServices;
  private readonly generator: WatermarkGenerator<unknown> | undefined;
  private router: BadRecordRouter | undefined = undefined;
  private ctx!: OperatorContext<unknown>;
  private output!: Output<unknown>;
  private emitted = Number.NEGATIVE_INFINITY;
  private readonly reject = (value: unknown, timestamp: number, error: string): void =>
    this.router!.rejectElement(value, timestamp, error, { operator: this.node.name });

  constructor(node: PlanNodeOf<'assign-watermarks'>, services: OperatorServices) {
    this.node = node;
    this.services = services;
    this.generator = createWatermarkGenerator(node.watermarks);
  }

  async open(ctx: OperatorContext<unknown>): Promise<void> {
    this.ctx = ctx;
    this.output = ctx.output;
    this.router = this.services.badRecordRouter(this.node.badRecords, this.node.name);
    await this.router.open();
    const interval = this.services.watermarkInterval;
    if (this.generator !== undefined && interval > 0) ctx.requestProcessingTime(ctx.clock.now() + interval);
  }

  processBatch(batch: Batch<unknown>): Promise<void> | undefined {
    const { node, generator } = this;
    const stamped = stampElements(
      batch.values,
      batch.timestamps,
      node.watermarks,
      node.name,
      this.reject,
      generator,
    );
    this.output.emit(stamped);
    if (this.services.watermarkInterval === 0) this.emitWatermark();
    return this.router!.flush();
  }

  onWatermark(time: number): void {
    if (time === MAX_TIMESTAMP) this.output.emitWatermark(time);
  }

  onProcessingTime(now: number): void {
    this.emitWatermark();
    this.ctx.requestProcessingTime(now + this.services.watermarkInterval);
  }

  async close(): Promise<void> {
    await this.router?.close();
  }

  private emitWatermark(): void {
    let watermark: number | undefined;
    try {
      watermark = this.generator?.currentWatermark();
    } catch (cause) {
      throw userHookFailed(this.node.name, 'its watermark generator', cause);
    }
    if (watermark !== undefined && watermark > this.emitted) {
      this.emitted = watermark;
      this.output.emitWatermark(watermark);
    }
  }
}

/**
 * @example
 * createAssignWatermarksOperator(node, services); // services from the runtime, or defaults in a test
 */
export function createAssignWatermarksOperator(
  node: PlanNodeOf<'assign-watermarks'>,
  services: OperatorServices = defaultOperatorServices(),
): Operator<unknown, unknown> {
  return new AssignWatermarksOperator(node, services);
}
