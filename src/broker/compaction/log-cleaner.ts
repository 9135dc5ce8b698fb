// Compacting one partition (Kafka's Cleaner.doClean): decide whether it is due, learn transaction outcomes
// and producers' last batches, map the latest offset of every key in the dirty part, then rewrite the
// closed segments group by group and swap each cleaned group in. The active segment is never touched.
// See docs/internals/compaction.md.

import { readdir } from 'node:fs/promises';
import { decodeControlRecord } from '../../protocol/record-batch/control.ts';
import { decodeRecordBatch } from '../../protocol/record-batch/decode.ts';
import {
  hasDeleteHorizon,
  isControl,
  isTransactional,
  RECORD_BATCH_OVERHEAD,
  readBatchHeader,
} from '../../protocol/record-batch/header.ts';
import type { RecordBatch } from '../../protocol/record-batch/records.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import type { SwapHooks } from '../storage/segment-swap.ts';
import type { FilterContext } from './batch-filter.ts';
import { type CleanReason, groupSegments, planClean } from './clean-plan.ts';
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint.ts';
import type { CompactionConfig } from './compaction-config.ts';
import { cleanGroup } from './group-writer.ts';
import { KeyMap } from './key-map.ts';
import { batchesInRange } from './log-batches.ts';
import {
  AbortedListFates,
  LogFactsBuilder,
  type PartitionTxnView,
  type ProducerLastRecord,
  type TxnFates,
} from './log-facts.ts';
import { CleanedTxnTracker } from './txn-tracker.ts';

/** Per-call choices. */
export interface CleanOptions {
  /** The cleaner's clock (delete horizons, compaction lags); default Date.now(). */
  now?: number;
  /** Clean whatever is cleanable regardless of the dirty ratio. */
  force?: boolean;
  /** What the transaction and producer-state layers know about the partition (optional seam). */
  txns?: PartitionTxnView;
  /** Stop adding dirty segments to the key map once it holds this many keys (bounds memory). */
  maxMapKeys?: number;
  /** Test hooks: `step('cleaned')` once a group's cleaned file is written, then the swap's own steps. */
  hooks?: SwapHooks;
}

/** What one call did. */
export interface CleanResult {
  cleaned: boolean;
  reason: CleanReason | null;
  dirtyRatio: number;
  /** Segments rewritten and the segments they became. */
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRemoved: number;
  /** Offsets below this are now clean (the next dirty part starts here). */
  cleanedUpTo: number;
}

const DEFAULT_MAX_MAP_KEYS = 1_000_000;

/**
 * Compacts the closed segments of a partition of a compacted topic when it is due (or `force`).
 *
 * @example
 * const result = await cleanPartition(log, compactionConfig(configs), { force: true });
 */
export async function cleanPartition(
  log: PartitionLog,
  config: CompactionConfig,
  options: CleanOptions = {},
): Promise<CleanResult> {
  const now = options.now ?? Date.now();
  const checkpoint = await readCleanerCheckpoint(log.dir);
  const firstDirtyOffset = Math.max(checkpoint?.firstDirtyOffset ?? 0, log.logStartOffset);
  const result: CleanResult = {
    cleaned: false,
    reason: null,
    dirtyRatio: 0,
    segmentsBefore: 0,
    segmentsAfter: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    recordsRemoved: 0,
    cleanedUpTo: firstDirtyOffset,
  };
  const segments = log.closedSegments();
  if (!config.compact || segments.length === 0) return result;
  const plan = planClean({
    segments,
    firstDirtyOffset,
    now,
    config,
    firstUnstableOffset: options.txns?.firstUnstableOffset?.() ?? null,
    pendingHorizon: checkpoint?.pendingHorizon ?? null,
    firstDirtyTimestamp: Number.isFinite(config.maxCompactionLagMs)
      ? await firstTimestamp(log, firstDirtyOffset)
      : null,
    force: options.force === true,
  });
  if (plan === null) return result;
  result.dirtyRatio = plan.dirtyRatio;
  // A swap that failed after its commit point leaves the log stopped until a restart finishes it.
  if ((await readdir(log.dir)).some((name) => name.endsWith('.log.swap'))) return result;

  const { fates, producers } = await learnFacts(log, options.txns, plan.cleanable.at(-1)!.nextOffset);
  const keys = new KeyMap();
  const maxKeys = options.maxMapKeys ?? DEFAULT_MAX_MAP_KEYS;
  let mapped = plan.firstDirtyIndex;
  for (let i = plan.firstDirtyIndex; i < plan.cleanable.length; i++) {
    if (i > plan.firstDirtyIndex && keys.size >= maxKeys) break; // the rest waits for the next clean
    await mapKeys(log, plan.cleanable[i], firstDirtyOffset, fates, keys);
    mapped = i + 1;
  }
  const toClean = plan.cleanable.slice(0, Math.max(mapped, 1));
  const cleanedUpTo = toClean.at(-1)!.nextOffset;

  const txns = new CleanedTxnTracker(fates);
  const ctx: FilterContext = {
    now,
    deleteRetentionMs: config.deleteRetentionMs,
    keys,
    txns,
    isLastOfProducer: (batch) => isLastOfProducer(batch, producers),
    controlType,
    roundEnd: cleanedUpTo,
  };
  let pendingHorizon: number | null = null;
  for (const group of groupSegments(toClean, config.segmentBytes)) {
    const outcome = await cleanGroup(log, group, ctx, options.hooks);
    if (outcome === null) return result; // the log changed under the clean; the next run starts over
    result.segmentsBefore += group.length;
    result.segmentsAfter++;
    result.bytesBefore += group.reduce((sum, s) => sum + s.size, 0);
    result.bytesAfter += outcome.bytes;
    result.recordsRemoved += outcome.removed;
    if (outcome.pendingHorizon !== null)
      pendingHorizon = Math.min(pendingHorizon ?? Number.POSITIVE_INFINITY, outcome.pendingHorizon);
  }
  await writeCleanerCheckpoint(log.dir, { firstDirtyOffset: cleanedUpTo, pendingHorizon });
  return { ...result, cleaned: true, reason: plan.reason, cleanedUpTo };
}

/** Transaction outcomes and producers' last entries, from the seam where it has them, else from the log. */
async function learnFacts(
  log: PartitionLog,
  view: PartitionTxnView | undefined,
  cleanEnd: number,
): Promise<{ fates: TxnFates; producers: ReadonlyMap<number, ProducerLastRecord> }> {
  const aborted = view?.abortedTransactions?.(log.logStartOffset, cleanEnd);
  const active = view?.activeProducers?.();
  if (aborted !== undefined && active !== undefined)
    return { fates: new AbortedListFates(aborted), producers: active };
  const facts = new LogFactsBuilder();
  // Up to the high watermark: a marker above it is not durable yet, so its transaction stays undecided.
  for await (const stored of batchesInRange(log, log.logStartOffset, log.highWatermark)) {
    const h = readBatchHeader(stored.bytes, 0);
    const control = isControl(h.attributes);
    facts.add({
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseOffset: h.baseOffset,
      lastOffset: stored.lastOffset,
      transactional: isTransactional(h.attributes),
      control,
      controlType: control ? controlType(decodeRecordBatch(stored.bytes)) : null,
    });
  }
  return {
    fates: aborted === undefined ? facts : new AbortedListFates(aborted),
    producers: active ?? facts.activeProducers(),
  };
}

/** Adds the keys of one dirty segment; data of aborted or undecided transactions never shadows older values. */
async function mapKeys(
  log: PartitionLog,
  segment: { baseOffset: number; nextOffset: number },
  firstDirtyOffset: number,
  fates: TxnFates,
  keys: KeyMap,
): Promise<void> {
  for await (const stored of batchesInRange(log, segment.baseOffset, segment.nextOffset)) {
    const batch = decodeRecordBatch(stored.bytes);
    if (batch.control) continue;
    if (batch.transactional && fates.fateOf(batch.producerId, batch.baseOffset) !== 'committed') continue;
    for (const r of batch.records)
      if (r.key !== null && r.offset >= firstDirtyOffset) keys.put(r.key, r.offset);
  }
}

/** Kafka's isBatchLastRecordOfProducer: the batch with the producer's last data, else its latest marker. */
function isLastOfProducer(batch: RecordBatch, producers: ReadonlyMap<number, ProducerLastRecord>): boolean {
  const last = producers.get(batch.producerId);
  if (last === undefined) return false;
  if (last.lastDataOffset !== null) return batch.baseOffset + batch.lastOffsetDelta === last.lastDataOffset;
  return batch.control && batch.producerEpoch === last.producerEpoch;
}

/** Type of a control batch's record; null when it has none, -1 when it does not parse (kept as is). */
function controlType(batch: RecordBatch): number | null {
  if (batch.records.length === 0) return null;
  try {
    return decodeControlRecord(batch.records[0]).type;
  } catch {
    return -1;
  }
}

/** Timestamp of the first record at or after `offset` (its batch's), or null when there is none. */
async function firstTimestamp(log: PartitionLog, offset: number): Promise<number | null> {
  const { records } = await log.read(offset, 1);
  if (records.length < RECORD_BATCH_OVERHEAD) return null;
  const h = readBatchHeader(records, 0);
  return hasDeleteHorizon(h.attributes) ? h.maxTimestamp : h.baseTimestamp;
}
