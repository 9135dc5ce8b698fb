// The idempotence rules for one producer on one partition, as pure functions: is an incoming batch a
// retried duplicate, the next batch in sequence, or an error? Written from Kafka's ProducerAppendInfo and
// ProducerStateEntry (apache/kafka, storage/.../internals/log), and tested without any I/O.

import { KafkaError } from '../error-codes.ts';

/** Producer id, epoch and sequence of a batch written without idempotence. */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN: a producer has at most 5 requests in flight. */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2 ** 31 - 1;

/** What is remembered of one appended batch: enough to recognise its retry and answer with its offsets. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** The batch's maxTimestamp as stored (the broker's time on LogAppendTime topics). */
  readonly timestamp: number;
}

/** One producer's state on one partition (Kafka's ProducerStateEntry). */
export interface ProducerEntry {
  readonly producerId: number;
  /** NO_PRODUCER_EPOCH until the first batch or marker. */
  epoch: number;
  /** The last appended batches of the current epoch, oldest first, at most BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  /** Broker wall-clock time of the last change; the entry expires `producer.id.expiration.ms` later. */
  lastUpdateMs: number;
  /**
   * First offset of this producer's open transaction on the partition, or null. Seam for transactions:
   * set by the first transactional batch, cleared by the commit/abort marker; an entry with an open
   * transaction never expires, and the last stable offset is the smallest of these.
   */
  currentTxnFirstOffset: number | null;
  /** Epoch of the transaction coordinator that wrote the last marker (-1 before any). */
  coordinatorEpoch: number;
}

/** The producer fields of an incoming data batch. */
export interface IncomingBatch {
  readonly producerId: number;
  readonly epoch: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The batch's transactional bit (absent = not transactional). */
  readonly transactional?: boolean;
}

/** What to do with an incoming batch. */
export type BatchVerdict =
  | { readonly kind: 'append' }
  /** A retry of a batch already in the log: answer with its original offsets, append nothing. */
  | { readonly kind: 'duplicate'; readonly batch: BatchMetadata }
  | { readonly kind: 'reject'; readonly errorCode: number; readonly errorMessage: string };

const APPEND: BatchVerdict = { kind: 'append' };

/** A fresh entry for a producer seen for the first time on a partition. */
export function emptyEntry(producerId: number, nowMs: number): ProducerEntry {
  return {
    producerId,
    epoch: NO_PRODUCER_EPOCH,
    batches: [],
    lastUpdateMs: nowMs,
    currentTxnFirstOffset: null,
    coordinatorEpoch: -1,
  };
}

/**
 * The sequence of a batch's last record: sequences wrap from Int32 max back to 0, as Kafka's
 * DefaultRecordBatch.incrementSequence does.
 *
 * @example lastSequence(2147483646, 3); // 1
 */
export function lastSequence(firstSeq: number, lastOffsetDelta: number): number {
  if (firstSeq === NO_SEQUENCE) return NO_SEQUENCE;
  return firstSeq > INT32_MAX - lastOffsetDelta
    ? lastOffsetDelta - (INT32_MAX - firstSeq) - 1
    : firstSeq + lastOffsetDelta;
}

/** Whether `next` directly follows `last` (with wraparound at Int32 max). */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}

/**
 * Kafka's order of checks for a client's data batch: a duplicate of one of the retained batches (same
 * epoch, same first and last sequence) is answered with its original offsets; then an epoch older than
 * the entry's is INVALID_PRODUCER_EPOCH (Kafka ≥ 2.7 answers this rather than PRODUCER_FENCED on
 * Produce, for idempotent and transactional producers alike); a non-transactional batch from a producer
 * whose transaction is open in the partition is INVALID_TXN_STATE; then the sequence must continue the last
 * batch, or start at 0 for a new epoch, else OUT_OF_ORDER_SEQUENCE_NUMBER. A producer the partition has
 * no state for (new, or expired) may start at any sequence — modern Kafka no longer answers
 * UNKNOWN_PRODUCER_ID here.
 *
 * @example
 * checkIncomingBatch(entry, { producerId: 7, epoch: 0, firstSeq: 5, lastSeq: 9 }).kind; // 'append'
 */
export function checkIncomingBatch(entry: ProducerEntry | undefined, batch: IncomingBatch): BatchVerdict {
  if (entry === undefined) return APPEND;
  if (batch.epoch === entry.epoch) {
    const duplicate = entry.batches.find((b) => b.firstSeq === batch.firstSeq && b.lastSeq === batch.lastSeq);
    if (duplicate !== undefined) return { kind: 'duplicate', batch: duplicate };
  }
  if (batch.epoch < entry.epoch) {
    return reject(
      KafkaError.INVALID_PRODUCER_EPOCH,
      `Epoch ${batch.epoch} of producer ${batch.producerId} is older than its current epoch ${entry.epoch}`,
    );
  }
  if (entry.currentTxnFirstOffset !== null && batch.transactional !== true) {
    // Kafka's ProducerAppendInfo: a plain write while the producer's transaction is open here.
    return reject(
      KafkaError.INVALID_TXN_STATE,
      `Expected a transactional write from producer ${batch.producerId}: its transaction is open in this partition`,
    );
  }
  // An entry without an epoch holds only markers or was just created: any sequence may start it.
  if (entry.epoch === NO_PRODUCER_EPOCH) return APPEND;
  if (batch.epoch !== entry.epoch) {
    // A new epoch (after InitProducerId or a client-side bump) restarts the sequence at 0.
    if (batch.firstSeq !== 0) {
      return reject(
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Producer ${batch.producerId} started epoch ${batch.epoch} at sequence ${batch.firstSeq}, not 0 (current epoch ${entry.epoch})`,
      );
    }
    return APPEND;
  }
  const lastSeq = entry.batches.length > 0 ? entry.batches[entry.batches.length - 1].lastSeq : NO_SEQUENCE;
  if (!inSequence(lastSeq, batch.firstSeq)) {
    return reject(
      KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
      `Out of order sequence for producer ${batch.producerId}: ${batch.firstSeq} (incoming), ${lastSeq} (last appended)`,
    );
  }
  return APPEND;
}

/**
 * Records an appended data batch in `entry` (mutated): a new epoch forgets the old epoch's batches, and
 * only the last BATCHES_TO_RETAIN are kept.
 */
export function recordBatch(
  entry: ProducerEntry,
  epoch: number,
  batch: BatchMetadata,
  nowMs: number,
): ProducerEntry {
  bumpEpoch(entry, epoch);
  if (entry.batches.length === BATCHES_TO_RETAIN) entry.batches.shift();
  entry.batches.push(batch);
  entry.lastUpdateMs = nowMs;
  return entry;
}

/** Moves `entry` to `epoch`, dropping the batches of the old one (Kafka's maybeUpdateProducerEpoch). */
export function bumpEpoch(entry: ProducerEntry, epoch: number): void {
  if (entry.epoch !== epoch) {
    entry.epoch = epoch;
    entry.batches = [];
  }
}

function reject(errorCode: number, errorMessage: string): BatchVerdict {
  return { kind: 'reject', errorCode, errorMessage };
}
