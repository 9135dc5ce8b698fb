// Helpers shared by the partition-log tests: open a log with small settings, read everything back.

import { batchBaseOffset, batchLastOffsetDelta, batchMaxTimestamp, batchSize } from '../batch-frame.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../log-config.ts';
import { PartitionLog } from '../partition-log.ts';
import { crc32c } from './batches.ts';

/** A batch as read back from the log. */
export interface ReadBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** The records section (bytes after the 61-byte header). */
  payload: Buffer;
  bytes: Buffer;
}

/** Opens a log with test-friendly defaults (os durability unless overridden). */
export function openLog(
  dir: string,
  config: Partial<LogConfig> = {},
  clock?: () => number,
): Promise<PartitionLog> {
  return PartitionLog.open(dir, {
    config: { ...DEFAULT_LOG_CONFIG, durability: 'os', ...config },
    crc32c,
    ...(clock === undefined ? {} : { clock }),
  });
}

/** Splits read bytes into batches. */
export function splitBatches(records: Buffer): ReadBatch[] {
  const out: ReadBatch[] = [];
  let at = 0;
  while (at < records.length) {
    const size = batchSize(records, at);
    const baseOffset = batchBaseOffset(records, at);
    out.push({
      baseOffset,
      lastOffset: baseOffset + batchLastOffsetDelta(records, at),
      maxTimestamp: batchMaxTimestamp(records, at),
      payload: records.subarray(at + 61, at + size),
      bytes: records.subarray(at, at + size),
    });
    at += size;
  }
  return out;
}

/** Reads every batch from the log start to the high watermark, fetching `maxBytes` at a time. */
export async function readAll(log: PartitionLog, maxBytes = 4096): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, maxBytes);
    const batches = splitBatches(records);
    if (batches.length === 0)
      throw new Error(`read at ${offset} returned nothing below ${log.highWatermark}`);
    out.push(...batches);
    offset = batches[batches.length - 1].lastOffset + 1;
  }
  return out;
}
