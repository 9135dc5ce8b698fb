// What compaction keeps of one batch: a pure decision per batch and per record, following Kafka's
// Cleaner.cleanInto and MemoryRecords.filterTo, so it is testable without a log.
//
// - A record stays when it is the latest for its key (offset >= the key map's offset) and either has a
//   value or is a tombstone whose batch's delete horizon has not passed. Keyless records go.
// - Aborted transactional data goes; a marker goes once no data of its transaction is left and its own
//   delete horizon has passed.
// - A batch left with no records is dropped, unless it holds a producer's last sequence (or its last
//   marker) or is the last batch of the clean (so the cleaned part still ends at the same offset, Kafka's
//   upperBoundOffsetOfCleaningRound): then its header stays as an empty batch.
// - The first clean that keeps a tombstone (or a removable marker) stamps its batch with a delete horizon,
//   now + delete.retention.ms; a later clean after the horizon removes it.

import { hasDeleteHorizon } from '../../protocol/record-batch/header.ts';
import type { BatchRecord, RecordBatch } from '../../protocol/record-batch/records.ts';
import { emptyBatch, rewriteBatch } from './batch-rewrite.ts';
import type { KeyMap } from './key-map.ts';
import type { CleanedTxnTracker } from './txn-tracker.ts';

/** Everything one batch's decision depends on. */
export interface FilterContext {
  now: number;
  deleteRetentionMs: number;
  /** Latest offset per key over the dirty part of the log. */
  keys: KeyMap;
  /** Transaction state of this pass; must see every batch in order. */
  txns: CleanedTxnTracker;
  /** Whether the batch holds its producer's last sequence or last marker (kept, possibly empty). */
  isLastOfProducer(batch: RecordBatch): boolean;
  /** Offset after the last batch of this clean: the batch ending there is kept, empty if need be. */
  roundEnd: number;
  /** Type of the control record of a control batch (null when it has none). */
  controlType(batch: RecordBatch): number | null;
}

/** The decision for one batch. */
export interface FilterOutcome {
  /** Bytes to write in place of the batch (the original when nothing changed), or null to drop it. */
  bytes: Buffer | null;
  /** Records removed from the batch. */
  removed: number;
  /** Delete horizon the kept batch still waits for (tombstones or a removable marker), else null. */
  pendingHorizon: number | null;
}

/**
 * Decides what stays of `batch` (decoded from `raw`, its stored bytes).
 *
 * @example const { bytes } = filterBatch(raw, decodeRecordBatch(raw), ctx);
 */
export function filterBatch(raw: Buffer, batch: RecordBatch, ctx: FilterContext): FilterOutcome {
  const controlType = batch.control ? ctx.controlType(batch) : null;
  const canDiscard = batch.control
    ? ctx.txns.onControlBatch(batch, controlType)
    : ctx.txns.onDataBatch(batch);
  const horizon = hasDeleteHorizon(batch.attributes) ? batch.baseTimestamp : null;
  const discardRecords = batch.control ? canDiscard && horizon !== null && horizon <= ctx.now : canDiscard;
  const lastOffset = batch.baseOffset + batch.lastOffsetDelta;
  const retainEmpty =
    (batch.producerId >= 0 && ctx.isLastOfProducer(batch)) || lastOffset + 1 === ctx.roundEnd;
  const total = batch.records.length;

  let kept: readonly BatchRecord[];
  if (discardRecords) kept = [];
  else if (batch.control) kept = batch.records;
  else kept = batch.records.filter((r) => keepRecord(r, horizon, ctx));

  if (kept.length === 0) {
    if (!retainEmpty) return { bytes: null, removed: total, pendingHorizon: null };
    return { bytes: total === 0 ? raw : emptyBatch(batch), removed: total, pendingHorizon: null };
  }
  const hasTombstones = !batch.control && kept.some((r) => r.value === null);
  const removableMarker = batch.control && canDiscard;
  const waitsForHorizon = hasTombstones || removableMarker;
  const newHorizon = waitsForHorizon && horizon === null ? ctx.now + ctx.deleteRetentionMs : null;
  const bytes =
    kept.length === total && newHorizon === null ? raw : rewriteBatch(batch, kept, newHorizon ?? horizon);
  return {
    bytes,
    removed: total - kept.length,
    pendingHorizon: waitsForHorizon ? (newHorizon ?? horizon) : null,
  };
}

/** Kafka's shouldRetainRecord for v2 batches. */
function keepRecord(record: BatchRecord, horizon: number | null, ctx: FilterContext): boolean {
  if (record.key === null) return false; // keyless records cannot be compacted; Kafka drops them too
  if (record.offset < ctx.keys.get(record.key)) return false; // a later record has this key
  return record.value !== null || horizon === null || ctx.now < horizon;
}
