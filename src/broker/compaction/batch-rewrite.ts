// Re-encoding a batch after compaction removed some of its records. Offsets never change: the batch keeps
// its base offset and lastOffsetDelta (so the producer's last sequence, baseSequence + lastOffsetDelta,
// survives), and each record its offsetDelta. Producer id, epoch, base sequence, attributes, partition
// leader epoch and codec stay as they were (Kafka's MemoryRecords.buildRetainedRecordsInto).

import { writeInt16 } from '../../protocol/record-batch/bytes.ts';
import { encodeRecordBatch } from '../../protocol/record-batch/encode.ts';
import {
  ATTRIBUTES_OFFSET,
  DELETE_HORIZON_MASK,
  rewriteBatchCrc,
} from '../../protocol/record-batch/header.ts';
import type { BatchRecord, RecordBatch, RecordInput } from '../../protocol/record-batch/records.ts';

/**
 * Encodes `kept` (a non-empty subset of `batch.records`) as a replacement for `batch`. With a delete
 * horizon, baseTimestamp holds the horizon and attribute bit 6 says so (KIP-534); record timestamps stay
 * what they were, their deltas now measured from the horizon.
 *
 * @example rewriteBatch(batch, batch.records.filter((r) => r.value !== null), null);
 */
export function rewriteBatch(
  batch: RecordBatch,
  kept: readonly BatchRecord[],
  deleteHorizon: number | null,
): Buffer {
  // baseTimestamp + delta is the record's own time even for LogAppendTime batches, whose decoded
  // `timestamp` is the batch's append time; keeping the delta keeps what the producer wrote.
  const records: RecordInput[] = kept.map((r) => ({
    key: r.key,
    value: r.value,
    headers: r.headers,
    timestamp: batch.baseTimestamp + r.timestampDelta,
    offsetDelta: r.offsetDelta,
  }));
  const out = encodeRecordBatch(records, {
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression: batch.compression,
    timestampType: batch.timestampType,
    transactional: batch.transactional,
    control: batch.control,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    baseTimestamp: deleteHorizon ?? records[0].timestamp,
    // LogAppendTime batches keep the broker's stamp; CreateTime ones get the largest remaining timestamp.
    maxTimestamp: batch.timestampType === 1 ? batch.maxTimestamp : undefined,
    lastOffsetDelta: batch.lastOffsetDelta,
  });
  if (deleteHorizon !== null) setDeleteHorizonBit(out);
  return out;
}

/**
 * The header-only batch Kafka keeps when every record is gone but the batch still matters (a producer's
 * last sequence, or the end of a cleaned segment): same offsets and producer fields, no records, no codec,
 * both timestamps the old maxTimestamp (DefaultRecordBatch.writeEmptyHeader).
 */
export function emptyBatch(batch: RecordBatch): Buffer {
  return encodeRecordBatch([], {
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    timestampType: batch.timestampType,
    transactional: batch.transactional,
    control: batch.control,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    baseTimestamp: batch.maxTimestamp,
    maxTimestamp: batch.maxTimestamp,
    lastOffsetDelta: batch.lastOffsetDelta,
  });
}

/** The encoder has no option for bit 6 (only compaction sets it), so it is set here and the CRC redone. */
function setDeleteHorizonBit(buf: Buffer): void {
  writeInt16(buf, ATTRIBUTES_OFFSET, buf.readInt16BE(ATTRIBUTES_OFFSET) | DELETE_HORIZON_MASK);
  rewriteBatchCrc(buf, 0);
}
