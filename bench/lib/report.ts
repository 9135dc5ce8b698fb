import { availableParallelism } from 'node:os';

/** What every benchmark prints: one JSON object, then a one-line human summary. */
export interface BenchReport {
  name: string;
  metrics: Record<string, number | string>;
  node: string;
  cores: number;
  date: string;
}

/**
 * Builds the report of a benchmark run.
 *
 * @example
 * printReport(benchReport('varint', { encodesPerSec: 1e8 }), 'varint: 100 M encodes/s');
 */
export function benchReport(name: string, metrics: Record<string, number | string>): BenchReport {
  return {
    name,
    metrics,
    node: process.version,
    cores: availableParallelism(),
    date: new Date().toISOString(),
  };
}

export function printReport(report: BenchReport, summary: string): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.stdout.write(`${summary} [${report.cores} cores, node ${report.node}]\n`);
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 1000): number {
  const deadline = performance.now() + ms / 5;
  while (performance.now() < deadline) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}
