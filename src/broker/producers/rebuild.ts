// Rebuilding a partition's producer state when the broker opens: start from the newest snapshot at or
// below the log end (or empty at the log start) and replay the batch headers of the log after it.

import {
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  batchAttributes,
  batchBaseOffset,
  isControl,
  isTransactional,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
} from '../../protocol/record-batch/header.ts';
import { decodeControlRecord, decodeRecordBatch } from '../../protocol/record-batch/index.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import { loadAbortedTxns } from '../transactions/aborted-index-file.ts';
import { readLatestSnapshot } from './producer-snapshot.ts';
import type { ProducerBatchFields, ProducerStateManager } from './producer-state-manager.ts';

/** Bytes read per step of the replay. */
const READ_BYTES = 4 << 20;

/** What a rebuild did, for logs and tests. */
export interface RebuildReport {
  /** Offset of the snapshot used, or null when the replay started at the log start. */
  snapshotOffset: number | null;
  /** Batches replayed after the snapshot. */
  batchesReplayed: number;
}

/**
 * Loads `state` for `log` from its newest usable snapshot plus the batches after it. Producers are given
 * `nowMs` as their last-update time when replayed (the log holds only client timestamps), so a restart
 * never expires a producer earlier than it would have expired without one.
 */
export async function rebuildProducerState(
  state: ProducerStateManager,
  log: PartitionLog,
  topicId: string,
  nowMs: number,
): Promise<RebuildReport> {
  const end = log.logEndOffset;
  const snapshot = await readLatestSnapshot(log.dir, topicId, end);
  if (snapshot !== null) state.restore(snapshot);
  let offset = Math.max(snapshot?.offset ?? 0, log.logStartOffset);
  state.mapEndOffset = offset;
  // The aborted index below the replay start; the replay records the markers after it again.
  state.txns.setAborted(await loadAbortedTxns(log.dir, offset, log.logStartOffset));
  let batchesReplayed = 0;
  while (offset < end) {
    const { records, outOfRange } = await log.read(offset, READ_BYTES, { maxOffset: end });
    if (outOfRange || records.length === 0) break;
    const before = offset;
    let at = 0;
    while (at + RECORD_BATCH_OVERHEAD <= records.length) {
      const fields = batchFields(records, at);
      const base = batchBaseOffset(records, at);
      const last = base + records.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
      // The first batch may start before `offset` (a read returns the batch holding it); it is already
      // in the snapshot.
      if (base >= offset) {
        state.record(fields, base, last, nowMs);
        batchesReplayed++;
      }
      offset = Math.max(offset, last + 1);
      at += LOG_OVERHEAD + records.readInt32BE(at + BATCH_LENGTH_OFFSET);
    }
    if (offset === before) break; // no progress: never loop on a log that reads back oddly
  }
  state.mapEndOffset = Math.max(state.mapEndOffset, end);
  return { snapshotOffset: snapshot?.offset ?? null, batchesReplayed };
}

/** Producer fields of the stored batch at `at`; a control batch's marker is decoded too. */
export function batchFields(buf: Buffer, at: number): ProducerBatchFields {
  const attributes = batchAttributes(buf, at);
  const control = isControl(attributes);
  return {
    producerId: Number(buf.readBigInt64BE(at + PRODUCER_ID_OFFSET)),
    producerEpoch: buf.readInt16BE(at + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(at + BASE_SEQUENCE_OFFSET),
    lastOffsetDelta: buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET),
    maxTimestamp: Number(buf.readBigInt64BE(at + MAX_TIMESTAMP_OFFSET)),
    transactional: isTransactional(attributes),
    control,
    ...(control ? markerOf(buf, at) : {}),
  };
}

/** Type and coordinator epoch of the control batch at `at`; type null when it does not decode. */
function markerOf(buf: Buffer, at: number): { controlType: number | null; coordinatorEpoch?: number } {
  try {
    const batch = decodeRecordBatch(buf, at, { verifyCrc: false });
    if (batch.records.length === 0) return { controlType: null };
    const record = decodeControlRecord(batch.records[0]);
    return record.marker === null
      ? { controlType: record.type }
      : { controlType: record.type, coordinatorEpoch: record.marker.coordinatorEpoch };
  } catch {
    // Damaged or emptied by compaction: the marker still ends the transaction, as an unknown outcome.
    return { controlType: null };
  }
}
