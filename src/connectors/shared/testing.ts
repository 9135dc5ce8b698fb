// Helpers for driving readers and writers by hand in connector tests (the runtime does this in jobs).
import { ManualClock } from '../../common/time.ts';
import type { Batch } from '../../engine/batch.ts';
import type { SinkContext } from '../../engine/sink.ts';
import type { RawBadRecord, SourceChunk, SourceContext, SourceReader } from '../../engine/source.ts';

export function sourceContext(overrides: Partial<SourceContext> = {}): SourceContext {
  return {
    jobName: 'test-job',
    jobId: 'job-1',
    operatorName: 'test source',
    subtaskIndex: 0,
    parallelism: 1,
    clock: new ManualClock(0),
    batchSize: 100,
    signal: new AbortController().signal,
    ...overrides,
  };
}

export function sinkContext(overrides: Partial<SinkContext> = {}): SinkContext {
  return {
    jobName: 'test-job',
    jobId: 'job-1',
    operatorName: 'test sink',
    subtaskIndex: 0,
    parallelism: 1,
    ...overrides,
  };
}

export interface Drained<T> {
  values: T[];
  chunks: SourceChunk<T>[];
  bad: RawBadRecord[];
  /** Splits that sent `ended`, in order. */
  ended: string[];
}

/**
 * Polls until the reader returns null (or `until` says stop, or `maxPolls` is reached) and collects
 * what it produced.
 */
export async function drain<T>(
  reader: SourceReader<T>,
  options: { maxWaitMs?: number; maxPolls?: number; until?: (d: Drained<T>) => boolean } = {},
): Promise<Drained<T>> {
  const drained: Drained<T> = { values: [], chunks: [], bad: [], ended: [] };
  const maxPolls = options.maxPolls ?? 10_000;
  for (let i = 0; i < maxPolls; i++) {
    const chunks = await reader.poll(options.maxWaitMs ?? 0);
    if (chunks === null) return drained;
    for (const chunk of chunks) {
      drained.chunks.push(chunk);
      drained.values.push(...chunk.values);
      drained.bad.push(...(chunk.bad ?? []));
      if (chunk.ended) drained.ended.push(chunk.split);
    }
    if (options.until?.(drained)) return drained;
  }
  return drained;
}

export function batch<T>(values: T[], timestamps?: number[]): Batch<T> {
  return { values, timestamps: timestamps ?? values.map(() => Number.NaN) };
}
