// Helpers for the compaction tests: build real (decodable) batches, open a log with small segments, and
// read a log back record by record with every CRC checked.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '../../../protocol/record-batch/crc32c.ts';
import { decodeRecordBatch } from '../../../protocol/record-batch/decode.ts';
import { encodeRecordBatch } from '../../../protocol/record-batch/encode.ts';
import type { EncodeBatchOptions, RecordBatch, RecordInput } from '../../../protocol/record-batch/records.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../storage/log-config.ts';
import { PartitionLog } from '../../storage/partition-log.ts';

/** A record to write: key and value as strings (null value = tombstone, null key = keyless). */
export interface KV {
  key: string | null;
  value: string | null;
  timestamp?: number;
}

/** One batch of `records` with string keys/values. */
export function batchOf(records: readonly KV[], options: EncodeBatchOptions = {}): Buffer {
  const inputs: RecordInput[] = records.map((r) => ({
    key: r.key === null ? null : Buffer.from(r.key),
    value: r.value === null ? null : Buffer.from(r.value),
    timestamp: r.timestamp ?? 1_000_000,
  }));
  return encodeRecordBatch(inputs, options);
}

/** A fresh temp directory and its cleanup. */
export async function tempDir(
  prefix = 'eddy-compact-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens a partition log with test-friendly settings (os durability, no time retention). */
export function openLog(dir: string, config: Partial<LogConfig> = {}): Promise<PartitionLog> {
  return PartitionLog.open(dir, {
    config: { ...DEFAULT_LOG_CONFIG, durability: 'os', retentionMs: -1, ...config },
    crc32c,
  });
}

/** A record read back, with its batch. */
export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  batch: RecordBatch;
}

/**
 * Every batch from the log start to the high watermark, decoded with its CRC checked; also checks that
 * batches do not overlap and offsets strictly increase.
 */
export async function readBatches(log: PartitionLog): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  let offset = log.logStartOffset;
  let last = -1;
  while (offset < log.highWatermark) {
    const { records } = await log.read(offset, 64 * 1024);
    if (records.length === 0) break;
    let at = 0;
    while (at < records.length) {
      const batch = decodeRecordBatch(records, at); // throws on a CRC mismatch
      at += 12 + batch.batchLength;
      const batchLast = batch.baseOffset + batch.lastOffsetDelta;
      if (batchLast < offset) continue;
      if (batch.baseOffset <= last) throw new Error(`batch at ${batch.baseOffset} overlaps offset ${last}`);
      let prev = last;
      for (const r of batch.records) {
        if (r.offset <= prev || r.offset > batchLast)
          throw new Error(`record offset ${r.offset} out of order`);
        prev = r.offset;
      }
      last = batchLast;
      batches.push(batch);
      offset = batchLast + 1;
    }
  }
  return batches;
}

/** Every record of the log, in offset order (see readBatches for the checks made). */
export async function readRecords(log: PartitionLog): Promise<ReadRecord[]> {
  return (await readBatches(log)).flatMap((batch) =>
    batch.records.map((r) => ({
      offset: r.offset,
      key: r.key === null ? null : r.key.toString(),
      value: r.value === null ? null : r.value.toString(),
      timestamp: r.timestamp,
      batch,
    })),
  );
}
