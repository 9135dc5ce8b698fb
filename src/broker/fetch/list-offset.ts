// ListOffsets for one partition: earliest, latest, or the first record at or after a timestamp.

import { isStreamError } from '../../common/errors.ts';
import { decodeRecordBatch } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import { LEADER_EPOCH } from '../produce/produce-partition.ts';
import type { PartitionLog } from '../storage/partition-log.ts';

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

/** A partition's ListOffsets answer. */
export interface ListedOffset {
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

const NOT_FOUND: ListedOffset = {
  errorCode: KafkaError.NONE,
  timestamp: -1,
  offset: -1,
  leaderEpoch: LEADER_EPOCH,
};

/**
 * Looks up one offset. `latest` is the high watermark, or under read_committed the last stable offset
 * (`lastStable`, which the caller passes for read_committed requests). By timestamp, the answer is the
 * first record whose timestamp is at or after `timestamp` (offset -1 when there is none, or, under
 * read_committed, when it is not below the last stable offset), found through the time index and then
 * by decoding that one batch.
 */
export async function listOffset(
  log: PartitionLog,
  timestamp: number,
  lastStable?: number,
): Promise<ListedOffset> {
  try {
    if (timestamp === EARLIEST_TIMESTAMP) return { ...NOT_FOUND, offset: log.logStartOffset };
    if (timestamp === LATEST_TIMESTAMP) return { ...NOT_FOUND, offset: lastStable ?? log.highWatermark };
    const found = await log.offsetForTimestamp(timestamp);
    if (found === null || (lastStable !== undefined && found.offset >= lastStable)) return NOT_FOUND;
    const fallback = { ...NOT_FOUND, offset: found.offset, timestamp: found.maxTimestamp };
    const { records } = await log.read(found.offset, 1);
    if (records.length === 0) return fallback;
    let batch: ReturnType<typeof decodeRecordBatch>;
    try {
      batch = decodeRecordBatch(records, 0, { verifyCrc: false });
    } catch (error) {
      if (isStreamError(error)) return fallback; // stored bytes that do not decode: batch granularity
      throw error;
    }
    const record = batch.records.find((r) => r.offset >= found.offset && r.timestamp >= timestamp);
    return record === undefined
      ? fallback
      : { ...NOT_FOUND, offset: record.offset, timestamp: record.timestamp };
  } catch (error) {
    if (isStreamError(error, 'BRK_STORAGE_CLOSED'))
      return { ...NOT_FOUND, errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION };
    if (isStreamError(error, 'BRK_STORAGE_IO'))
      return { ...NOT_FOUND, errorCode: KafkaError.KAFKA_STORAGE_ERROR };
    throw error;
  }
}
