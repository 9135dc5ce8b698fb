// The producer state of one partition (Kafka's ProducerStateManager): per producer id, its epoch and the
// last 5 batches. Produce checks an incoming batch against it under the log's append lock (see
// ProduceGuard) and records the batch in the same step that moves the log end offset, so the state always
// describes exactly the log below `mapEndOffset`.

import type { AppendGuard, AppendResult } from '../storage/partition-log.ts';
import { PartitionTxns } from '../transactions/partition-txns.ts';
import {
  type BatchVerdict,
  bumpEpoch,
  checkIncomingBatch,
  emptyEntry,
  lastSequence,
  type ProducerEntry,
  recordBatch,
} from './append-rules.ts';

/** The header fields of a stored or incoming batch that producer state looks at. */
export interface ProducerBatchFields {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: number;
  readonly transactional: boolean;
  readonly control: boolean;
  /** A control batch's record type (0 ABORT, 1 COMMIT), null when unknown or not a control batch. */
  readonly controlType?: number | null;
  /** A transaction marker's coordinator epoch. */
  readonly coordinatorEpoch?: number;
}

/**
 * A check run under the append lock before the idempotence rules (the transaction coordinator's "is this
 * partition in the producer's ongoing transaction"); a rejection keeps the batch out of the log.
 */
export type AdmitCheck = () => { errorCode: number; errorMessage: string } | null;

/** A verdict that keeps a batch out of the log. */
export type DeclinedVerdict = Exclude<BatchVerdict, { kind: 'append' }>;

/** The state at one offset: what a `.snapshot` file holds. Entries are copies. */
export interface ProducerSnapshot {
  /** The entries describe every batch below this offset and nothing after it. */
  readonly offset: number;
  readonly producers: readonly ProducerEntry[];
}

/**
 * Producer ids, epochs and recent batches of one partition.
 *
 * @example
 * const state = new ProducerStateManager();
 * const guard = state.guard(fields, Date.now());
 * const appended = await log.appendIf(batch, guard);
 * if (guard.verdict.kind === 'duplicate') answer(guard.verdict.batch.firstOffset);
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  /** Open and aborted transactions of the partition: the last stable offset and the aborted index. */
  readonly txns = new PartitionTxns();
  /** The state reflects the log below this offset. */
  mapEndOffset = 0;
  /**
   * Called when an append starts a new segment, with the state just before it (Kafka snapshots producer
   * state at every segment roll, so a restart only replays the active segment).
   */
  onRoll: ((snapshot: ProducerSnapshot) => void) | null = null;

  /** Number of producers with state on this partition. */
  get size(): number {
    return this.producers.size;
  }

  /** The entry of a producer, if the partition has one (read-only use). */
  lastEntry(producerId: number): Readonly<ProducerEntry> | undefined {
    return this.producers.get(producerId);
  }

  /** Every producer's entry (read-only use), e.g. for the last stable offset. */
  entries(): IterableIterator<Readonly<ProducerEntry>> {
    return this.producers.values();
  }

  /** What Produce should do with a client's data batch; changes nothing. */
  check(batch: ProducerBatchFields): BatchVerdict {
    if (batch.producerId < 0) return { kind: 'append' };
    return checkIncomingBatch(this.producers.get(batch.producerId), {
      producerId: batch.producerId,
      epoch: batch.producerEpoch,
      firstSeq: batch.baseSequence,
      lastSeq: lastSequence(batch.baseSequence, batch.lastOffsetDelta),
      transactional: batch.transactional,
    });
  }

  /**
   * A guard for appending one client batch: checks under the append lock (`admitCheck` first, if given),
   * records after the write.
   */
  guard(batch: ProducerBatchFields, nowMs: number, admitCheck?: AdmitCheck): ProduceGuard {
    return new ProduceGuard(this, batch, nowMs, admitCheck ?? null);
  }

  /**
   * Records a batch just written at `result` (for AppendGuard.appended of every writer: client batches and
   * transaction markers). When the append started a new segment, the state before it goes to `onRoll`.
   */
  appendedAt(
    batch: ProducerBatchFields,
    result: AppendResult,
    segmentBaseOffset: number,
    nowMs: number,
  ): void {
    if (segmentBaseOffset === result.baseOffset && result.baseOffset > 0) {
      // The state before this batch is the state at the new segment's base offset.
      this.mapEndOffset = result.baseOffset;
      this.onRoll?.(this.snapshot());
    }
    this.record(batch, result.baseOffset, result.lastOffset, nowMs);
  }

  /**
   * Records a batch that is now in the log at `firstOffset..lastOffset`, without checks (appends, and
   * replay of the log after a restart, where Kafka also trusts what is stored).
   */
  record(batch: ProducerBatchFields, firstOffset: number, lastOffset: number, nowMs: number): void {
    this.mapEndOffset = Math.max(this.mapEndOffset, lastOffset + 1);
    if (batch.producerId < 0) return;
    let entry = this.producers.get(batch.producerId);
    if (entry === undefined) {
      entry = emptyEntry(batch.producerId, nowMs);
      this.producers.set(batch.producerId, entry);
    }
    if (batch.control) {
      // A commit/abort marker ends the producer's transaction here (and enters the aborted index).
      this.txns.end(batch.producerId, firstOffset, batch.controlType ?? null);
      bumpEpoch(entry, batch.producerEpoch);
      entry.currentTxnFirstOffset = null;
      if (batch.coordinatorEpoch !== undefined) entry.coordinatorEpoch = batch.coordinatorEpoch;
      entry.lastUpdateMs = nowMs;
      return;
    }
    recordBatch(
      entry,
      batch.producerEpoch,
      {
        firstSeq: batch.baseSequence,
        lastSeq: lastSequence(batch.baseSequence, batch.lastOffsetDelta),
        firstOffset,
        lastOffset,
        timestamp: batch.maxTimestamp,
      },
      nowMs,
    );
    if (batch.transactional && entry.currentTxnFirstOffset === null) {
      entry.currentTxnFirstOffset = firstOffset;
      this.txns.begin(batch.producerId, firstOffset);
    }
  }

  /**
   * Drops producers idle for `expirationMs` or more (Kafka's `producer.id.expiration.ms`), except those
   * with an open transaction. Returns how many were dropped.
   */
  expire(nowMs: number, expirationMs: number): number {
    let dropped = 0;
    for (const [id, entry] of this.producers) {
      if (entry.currentTxnFirstOffset === null && nowMs - entry.lastUpdateMs >= expirationMs) {
        this.producers.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** A copy of the whole state at `mapEndOffset`. */
  snapshot(): ProducerSnapshot {
    return {
      offset: this.mapEndOffset,
      producers: [...this.producers.values()].map((e) => ({ ...e, batches: [...e.batches] })),
    };
  }

  /** Replaces the state with a snapshot's (before replaying the log after its offset). */
  restore(snapshot: ProducerSnapshot): void {
    this.producers.clear();
    for (const e of snapshot.producers) this.producers.set(e.producerId, { ...e, batches: [...e.batches] });
    this.mapEndOffset = snapshot.offset;
    this.txns.resetOngoing(
      snapshot.producers.flatMap((e) =>
        e.currentTxnFirstOffset === null ? [] : [[e.producerId, e.currentTxnFirstOffset] as const],
      ),
    );
  }
}

/**
 * The AppendGuard of one client batch. After the append, `verdict` says what happened: appended, a
 * duplicate (nothing written; answer with the original offsets), or rejected with a Kafka error.
 */
export class ProduceGuard implements AppendGuard {
  verdict: BatchVerdict = { kind: 'append' };
  /** Set when admit() declined the batch: why. */
  declined: DeclinedVerdict | null = null;
  private readonly state: ProducerStateManager;
  private readonly batch: ProducerBatchFields;
  private readonly nowMs: number;
  private readonly admitCheck: AdmitCheck | null;

  constructor(
    state: ProducerStateManager,
    batch: ProducerBatchFields,
    nowMs: number,
    admitCheck: AdmitCheck | null = null,
  ) {
    this.state = state;
    this.batch = batch;
    this.nowMs = nowMs;
    this.admitCheck = admitCheck;
  }

  admit(): boolean {
    const refused = this.admitCheck?.() ?? null;
    if (refused !== null) {
      this.verdict = { kind: 'reject', ...refused };
      this.declined = this.verdict;
      return false;
    }
    const verdict = this.state.check(this.batch);
    this.verdict = verdict;
    if (verdict.kind === 'append') return true;
    this.declined = verdict;
    return false;
  }

  appended(result: AppendResult, segmentBaseOffset: number): void {
    this.state.appendedAt(this.batch, result, segmentBaseOffset, this.nowMs);
  }
}
