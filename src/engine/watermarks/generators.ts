import type { WatermarkGenerator, WatermarkStrategySpec } from '../../plan/watermarks.ts';

/**
 * Tracks the largest timestamp seen and trails it by a bound: the watermark says no element at or
 * below `max - bound - 1` is still expected. A bound of 0 is the monotonous strategy.
 *
 * @example
 * const generator = new BoundedOutOfOrderness(5);
 * generator.onEvent(null, 100);
 * generator.currentWatermark(); // 94
 */
export class BoundedOutOfOrderness implements WatermarkGenerator<unknown> {
  private readonly bound: number;
  private max = Number.NEGATIVE_INFINITY;

  constructor(bound: number) {
    this.bound = bound;
  }

  onEvent(_value: unknown, timestamp: number): void {
    if (timestamp > this.max) this.max = timestamp;
  }

  currentWatermark(): number | undefined {
    return this.max === Number.NEGATIVE_INFINITY ? undefined : this.max - this.bound - 1;
  }
}

/**
 * One generator per split (or per assignTimestampsAndWatermarks subtask); undefined for 'none'.
 * The plan was validated, so the bound and createGenerator are present where needed.
 *
 * @example
 * createWatermarkGenerator({ kind: 'monotonous' }); // a BoundedOutOfOrderness(0)
 */
export function createWatermarkGenerator(
  spec: WatermarkStrategySpec<unknown>,
): WatermarkGenerator<unknown> | undefined {
  switch (spec.kind) {
    case 'bounded-out-of-orderness':
      return new BoundedOutOfOrderness(spec.maxOutOfOrderness ?? 0);
    case 'monotonous':
      return new BoundedOutOfOrderness(0);
    case 'custom':
      return spec.createGenerator!();
    case 'none':
      return undefined;
  }
}
