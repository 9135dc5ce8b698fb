import { z } from 'zod';
import type { Batch } from '../../engine/batch.ts';
import type { SinkWriter } from '../../engine/sink.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { type Connector, sinkSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { arrayRef } from '../shared/schemas.ts';

export const collectConfig = z.strictObject({
  target: arrayRef<unknown>('the array to push elements into'),
  withTimestamps: z.boolean().optional(),
});

/** An element with its event timestamp (NaN when it has none). */
export interface Timestamped<T> {
  readonly value: T;
  readonly timestamp: number;
}

/**
 * Pushes every element into an array the caller holds (for tests). All subtasks push into the same
 * array, so it only works when the job runs in the caller's thread.
 */
export class CollectWriter implements SinkWriter<unknown> {
  private readonly target: unknown[];
  private readonly withTimestamps: boolean;

  constructor(target: unknown[], withTimestamps = false) {
    this.target = target;
    this.withTimestamps = withTimestamps;
  }

  async open(): Promise<void> {}

  write(batch: Batch<unknown>): void {
    if (!this.withTimestamps) {
      for (const value of batch.values) this.target.push(value);
      return;
    }
    batch.values.forEach((value, i) => {
      this.target.push({ value, timestamp: batch.timestamps[i] });
    });
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

export const collectConnector: Connector = {
  id: 'collect',
  sink: sinkSide(collectConfig, (config) => new CollectWriter(config.target, config.withTimestamps)),
};

/**
 * Collects the elements into `target` (tests).
 *
 * @example
 * const out: number[] = [];
 * stream.sinkTo(collectSink(out));
 */
export function collectSink<T>(target: T[]): SinkDescriptor<T> {
  const config = { target };
  parseConfig('collect sink', collectConfig, config);
  return { connector: 'collect', config };
}

/**
 * Collects `{ value, timestamp }` pairs into `target`, to check event timestamps in tests.
 *
 * @example
 * const out: Timestamped<Click>[] = [];
 * clicks.sinkTo(collectSinkWithTimestamps(out));
 */
export function collectSinkWithTimestamps<T>(target: Timestamped<T>[]): SinkDescriptor<T> {
  const config = { target, withTimestamps: true };
  parseConfig('collect sink', collectConfig, config);
  return { connector: 'collect', config };
}
