import { StreamError } from '../../common/errors.ts';
import type { WatermarkGenerator, WatermarkStrategySpec } from '../../plan/watermarks.ts';
import type { Batch } from '../batch.ts';
import { userFunctionFailed } from '../user-function-error.ts';

/** Called for an element whose timestamp is unusable; throws to fail the job. */
export type RejectElement = (value: unknown, timestamp: number, error: string) => void;

/**
 * Gives each element its event timestamp: the strategy's assigner on (value, source timestamp), else
 * the source timestamp. Under an event-time strategy a non-finite result makes the element a bad record
 * (passed to `reject`, left out of the batch); under 'none' timestamps are taken as they come (NaN is
 * fine). Feeds each kept element to `generator`. Without an assigner, a 'none' strategy returns the
 * input arrays untouched.
 *
 * @example
 * const batch = stampElements(values, kafkaTimestamps, strategy, 'clicks', reject, generator);
 */
export function stampElements(
  values: unknown[],
  sourceTimestamps: number[],
  strategy: WatermarkStrategySpec<unknown>,
  operatorName: string,
  reject: RejectElement,
  generator: WatermarkGenerator<unknown> | undefined,
): Batch<unknown> {
  const assigner = strategy.timestampAssigner;
  const checked = strategy.kind !== 'none';
  if (assigner === undefined && !checked) return { values, timestamps: sourceTimestamps };

  const count = values.length;
  let keptValues = values;
  let timestamps = assigner === undefined ? sourceTimestamps : new Array<number>(count);
  let kept = 0;
  let i = 0;
  try {
    for (; i < count; i++) {
      const value = values[i];
      const timestamp = assigner === undefined ? sourceTimestamps[i] : assigner(value, sourceTimestamps[i]);
      if (checked && !Number.isFinite(timestamp)) {
        // First bad element: from here on, build separate arrays of the kept elements.
        if (keptValues === values) {
          keptValues = values.slice(0, kept);
          timestamps = timestamps.slice(0, kept);
        }
        reject(value, sourceTimestamps[i], `no usable event timestamp (got ${timestamp})`);
        continue;
      }
      generator?.onEvent(value, timestamp);
      if (keptValues !== values) keptValues.push(value);
      if (timestamps !== sourceTimestamps) timestamps[kept] = timestamp;
      kept++;
    }
  } catch (cause) {
    // reject() throws a StreamError under the 'fail' policy; user code throws anything else.
    if (cause instanceof StreamError) throw cause;
    throw userFunctionFailed(`${operatorName} (timestamps and watermarks)`, values[i], cause);
  }
  if (kept < timestamps.length) timestamps.length = kept;
  return { values: keptValues, timestamps };
}
