import type { Output } from '../../operator.ts';
import { BatchCollector } from '../collectors.ts';

/**
 * Everything an operator emits while handling one batch, watermark or timer round: the main output
 * (also the Collector handed to user code) and side outputs by tag id. `flush` sends each as one batch.
 */
export class OutputBuffer {
  readonly main = new BatchCollector();
  private readonly sides = new Map<string, BatchCollector>();

  side(tag: string, value: unknown, timestamp: number): void {
    let side = this.sides.get(tag);
    if (side === undefined) {
      side = new BatchCollector();
      this.sides.set(tag, side);
    }
    side.timestamp = timestamp;
    side.collect(value);
  }

  flush(output: Output<unknown>): void {
    const batch = this.main.take();
    if (batch !== undefined) output.emit(batch);
    for (const [tag, side] of this.sides) {
      const sideBatch = side.take();
      if (sideBatch !== undefined) output.emitSide(tag, sideBatch);
    }
  }
}
