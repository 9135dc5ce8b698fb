import type { Collector, ProcessContext } from '../../plan/functions.ts';
import type { OutputTag } from '../../plan/output-tag.ts';
import type { Batch } from '../batch.ts';
import type { OperatorContext, Output } from '../operator.ts';

/**
 * Collects what user code emits while processing a batch; every record takes the timestamp of the
 * element being processed (`timestamp`, set by the operator before each call).
 *
 * @example
 * const out = new BatchCollector();
 * out.timestamp = 5; out.collect('a');
 * out.take(); // { values: ['a'], timestamps: [5] }
 */
export class BatchCollector implements Collector<unknown> {
  timestamp = Number.NaN;
  private values: unknown[] = [];
  private timestamps: number[] = [];

  collect(value: unknown): void {
    this.values.push(value);
    this.timestamps.push(this.timestamp);
  }

  /** What was collected since the last take, or undefined when nothing was. */
  take(): Batch<unknown> | undefined {
    if (this.values.length === 0) return undefined;
    const batch = { values: this.values, timestamps: this.timestamps };
    this.values = [];
    this.timestamps = [];
    return batch;
  }
}

/** The ProcessContext of process and co-process functions, reused for every element. */
export class ElementContext implements ProcessContext {
  timestamp = Number.NaN;
  private readonly operator: OperatorContext<unknown>;
  private readonly sides = new Map<string, BatchCollector>();

  constructor(operator: OperatorContext<unknown>) {
    this.operator = operator;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    let side = this.sides.get(tag.id);
    if (side === undefined) {
      side = new BatchCollector();
      this.sides.set(tag.id, side);
    }
    side.timestamp = this.timestamp;
    side.collect(value);
  }

  currentWatermark(): number {
    return this.operator.currentWatermark();
  }

  currentProcessingTime(): number {
    return this.operator.clock.now();
  }

  /** Emits the side outputs collected since the last call. */
  emitSides(output: Output<unknown>): void {
    for (const [tag, side] of this.sides) {
      const batch = side.take();
      if (batch !== undefined) output.emitSide(tag, batch);
    }
  }
}
