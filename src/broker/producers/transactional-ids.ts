// The durable transactional-id table: per transactional id, its producer id and epoch, bumped by every
// InitProducerId (which fences older instances of the producer). The epoch rules are Kafka's
// TransactionCoordinator.prepareInitProducerIdTransit and TransactionMetadata.prepareIncrementProducerEpoch.
//
// The transaction coordinator (src/broker/transactions/) stores its state in the same entries (`state`
// and the transaction fields) and aborts an Ongoing transaction before it calls `init`.

import { KafkaError } from '../error-codes.ts';
import type { MetaStore } from '../storage/meta-store.ts';
import { SerialQueue } from '../storage/serial-queue.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from './append-rules.ts';
import type { ProducerIdManager } from './producer-ids.ts';

/** Kafka's transaction states (TransactionState.scala). */
export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'PrepareEpochFence'
  | 'Dead';

/** One transactional id as persisted (the part of Kafka's TransactionMetadata InitProducerId needs). */
export interface TransactionalIdEntry {
  producerId: number;
  /** The producer id before the last change (for retries across a producer-id rotation). */
  previousProducerId: number;
  producerEpoch: number;
  /** The epoch before the last bump, so a retried InitProducerId gets the same answer. */
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TransactionState;
  /** Broker time of the last change; Empty/Complete* entries expire `transactional.id.expiration.ms` later. */
  updatedAtMs: number;
  /** The open transaction's partitions as [topic, partition] (the coordinator's; absent = none). */
  partitions?: [string, number][];
  /** Groups whose offsets the open transaction commits (AddOffsetsToTxn). */
  groups?: string[];
  /** Offsets committed in the open transaction (TxnOffsetCommit), applied when it commits. */
  pendingOffsets?: PendingTxnOffset[];
  /** Broker time the open transaction started (its first AddPartitionsToTxn/AddOffsetsToTxn); -1 = none. */
  txnStartMs?: number;
}

/** One offset committed inside a transaction (Kafka's pending transactional OffsetCommitValue). */
export interface PendingTxnOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

/** The producer id and epoch a client sends with InitProducerId v3+ to bump its epoch (KIP-360). */
export interface ExpectedProducer {
  producerId: number;
  producerEpoch: number;
}

/** InitProducerId's answer. */
export interface InitResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** Kafka's TransactionMetadata.isEpochExhausted: the last epochs are kept for fencing. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= 32_766;
}

/** What an InitProducerId does to an entry (pure, for tests). */
export type InitTransition =
  | { kind: 'bump'; producerEpoch: number; lastProducerEpoch: number }
  /** The epochs of this producer id are used up: continue with a new producer id at epoch 0. */
  | { kind: 'rotate'; lastProducerEpoch: number }
  | { kind: 'error'; errorCode: number };

/**
 * Whether the producer id a v3+ InitProducerId names may bump this entry (Kafka's
 * TransactionMetadata.isValidProducerId check): the current id, or the previous one with an exhausted epoch.
 */
export function isExpectedProducerValid(
  entry: TransactionalIdEntry,
  expected: ExpectedProducer | null,
): boolean {
  return (
    expected === null ||
    entry.producerEpoch === NO_PRODUCER_EPOCH ||
    expected.producerId === entry.producerId ||
    (expected.producerId === entry.previousProducerId && isEpochExhausted(expected.producerEpoch))
  );
}

/** Kafka's rules for the epoch an InitProducerId leads to. */
export function initTransition(
  entry: TransactionalIdEntry,
  expected: ExpectedProducer | null,
): InitTransition {
  if (!isExpectedProducerValid(entry, expected))
    return { kind: 'error', errorCode: KafkaError.PRODUCER_FENCED };
  switch (entry.state) {
    case 'PrepareCommit':
    case 'PrepareAbort':
    case 'PrepareEpochFence':
    // The coordinator aborts an Ongoing transaction (epoch fence) before calling init; if one is still
    // here, the client retries.
    case 'Ongoing':
      return { kind: 'error', errorCode: KafkaError.CONCURRENT_TRANSACTIONS };
    case 'Dead':
      return { kind: 'error', errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE };
    default:
      break;
  }
  if (
    isEpochExhausted(entry.producerEpoch) &&
    (expected === null || expected.producerEpoch === entry.producerEpoch)
  ) {
    return { kind: 'rotate', lastProducerEpoch: expected === null ? NO_PRODUCER_EPOCH : entry.producerEpoch };
  }
  if (expected === null)
    return { kind: 'bump', producerEpoch: entry.producerEpoch + 1, lastProducerEpoch: -1 };
  if (entry.producerEpoch === NO_PRODUCER_EPOCH || expected.producerEpoch === entry.producerEpoch) {
    return { kind: 'bump', producerEpoch: entry.producerEpoch + 1, lastProducerEpoch: entry.producerEpoch };
  }
  // A retry of an InitProducerId whose answer was lost: the same answer again, no second bump.
  if (expected.producerEpoch === entry.lastProducerEpoch) {
    return { kind: 'bump', producerEpoch: entry.producerEpoch, lastProducerEpoch: entry.lastProducerEpoch };
  }
  return { kind: 'error', errorCode: KafkaError.PRODUCER_FENCED };
}

const KEY_PREFIX = 'txn:';

/**
 * Transactional ids and their producer ids/epochs, persisted in the producers meta store.
 *
 * @example
 * const result = await txnIds.init('copier-1', 60_000, null); // { errorCode: 0, producerId: 4, producerEpoch: 0 }
 */
export class TransactionalIds {
  private readonly meta: MetaStore<unknown>;
  private readonly ids: ProducerIdManager;
  private readonly clock: () => number;
  /** One InitProducerId at a time: each is read-modify-write of an entry. */
  private readonly queue = new SerialQueue();

  constructor(meta: MetaStore<unknown>, ids: ProducerIdManager, clock: () => number = Date.now) {
    this.meta = meta;
    this.ids = ids;
    this.clock = clock;
  }

  /** The entry of a transactional id, if it has one. */
  get(transactionalId: string): Readonly<TransactionalIdEntry> | undefined {
    return this.meta.get(KEY_PREFIX + transactionalId) as TransactionalIdEntry | undefined;
  }

  /** Every transactional id with its entry (read-only use; the coordinator indexes them at open). */
  *entries(): IterableIterator<[string, Readonly<TransactionalIdEntry>]> {
    for (const [key, value] of this.meta.entries()) {
      if (key.startsWith(KEY_PREFIX)) yield [key.slice(KEY_PREFIX.length), value as TransactionalIdEntry];
    }
  }

  /** Stores an entry (for the transaction coordinator's state changes). */
  put(transactionalId: string, entry: TransactionalIdEntry): Promise<void> {
    return this.meta.put(KEY_PREFIX + transactionalId, entry);
  }

  /** InitProducerId for a transactional id: creates it or bumps its epoch, durably, then answers. */
  init(transactionalId: string, timeoutMs: number, expected: ExpectedProducer | null): Promise<InitResult> {
    return this.queue.run(async () => {
      const now = this.clock();
      let entry = this.get(transactionalId);
      if (entry === undefined) {
        entry = {
          producerId: await this.ids.generate(),
          previousProducerId: NO_PRODUCER_ID,
          producerEpoch: NO_PRODUCER_EPOCH,
          lastProducerEpoch: NO_PRODUCER_EPOCH,
          timeoutMs,
          state: 'Empty',
          updatedAtMs: now,
        };
      }
      const transition = initTransition(entry, expected);
      if (transition.kind === 'error') {
        return {
          errorCode: transition.errorCode,
          producerId: NO_PRODUCER_ID,
          producerEpoch: NO_PRODUCER_EPOCH,
        };
      }
      // A new Empty state: nothing of an earlier transaction is carried over.
      const base: TransactionalIdEntry = {
        ...entry,
        timeoutMs,
        state: 'Empty',
        updatedAtMs: now,
        partitions: [],
        groups: [],
        pendingOffsets: [],
        txnStartMs: -1,
      };
      const next: TransactionalIdEntry =
        transition.kind === 'rotate'
          ? {
              ...base,
              producerId: await this.ids.generate(),
              previousProducerId: entry.producerId,
              producerEpoch: 0,
              lastProducerEpoch: transition.lastProducerEpoch,
            }
          : {
              ...base,
              previousProducerId: entry.producerId,
              producerEpoch: transition.producerEpoch,
              lastProducerEpoch: transition.lastProducerEpoch,
            };
      await this.put(transactionalId, next);
      return { errorCode: KafkaError.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch };
    });
  }

  /**
   * Forgets transactional ids without an open transaction that have not changed for `expirationMs`
   * (Kafka's `transactional.id.expiration.ms`). Returns how many were removed.
   */
  async expire(nowMs: number, expirationMs: number): Promise<number> {
    const expired: string[] = [];
    for (const [key, value] of this.meta.entries()) {
      if (!key.startsWith(KEY_PREFIX)) continue;
      const entry = value as TransactionalIdEntry;
      const idle =
        entry.state === 'Empty' || entry.state === 'CompleteCommit' || entry.state === 'CompleteAbort';
      if (idle && nowMs - entry.updatedAtMs >= expirationMs) expired.push(key);
    }
    if (expired.length > 0) await this.meta.update(expired.map((key) => ({ key, delete: true as const })));
    return expired.length;
  }
}
