/**
 * Records move in batches: parallel arrays of values and event timestamps (NaN when a record has none).
 * Operators never mutate a batch they receive; they build a new one (or pass it on unchanged).
 */
export interface Batch<T> {
  readonly values: T[];
  readonly timestamps: number[];
}

export function batchOf<T>(values: T[], timestamps?: number[]): Batch<T> {
  return { values, timestamps: timestamps ?? values.map(() => Number.NaN) };
}

export const EMPTY_BATCH: Batch<never> = Object.freeze({ values: [], timestamps: [] }) as Batch<never>;
