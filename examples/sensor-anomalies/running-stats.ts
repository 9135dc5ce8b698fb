/** Running mean and variance by Welford's method: one pass, numerically stable, O(1) state per sensor. */
export interface RunningStats {
  readonly count: number;
  readonly mean: number;
  /** Sum of squared differences from the mean. */
  readonly m2: number;
}

export const EMPTY_STATS: RunningStats = { count: 0, mean: 0, m2: 0 };

export function addSample(stats: RunningStats, value: number): RunningStats {
  const count = stats.count + 1;
  const delta = value - stats.mean;
  const mean = stats.mean + delta / count;
  return { count, mean, m2: stats.m2 + delta * (value - mean) };
}

/** Sample standard deviation; 0 until there are two samples. */
export function standardDeviation(stats: RunningStats): number {
  return stats.count < 2 ? 0 : Math.sqrt(stats.m2 / (stats.count - 1));
}
