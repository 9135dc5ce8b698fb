// The transaction coordinator's rules as pure functions over a transactional id's entry: which state
// changes are legal (Kafka's TransactionState.validPreviousStates) and what AddPartitionsToTxn,
// AddOffsetsToTxn and EndTxn do to an entry (Kafka's TransactionCoordinator.handleAddPartitionsToTransaction
// and handleEndTransaction, transaction version 1). No I/O, so every branch is tested without a broker.

import { StreamError } from '../../common/errors.ts';
import { KafkaError } from '../error-codes.ts';
import type { TransactionalIdEntry, TransactionState } from '../producers/transactional-ids.ts';

/** The states each state may be entered from (Kafka's TransactionState). */
const VALID_PREVIOUS: Record<TransactionState, readonly TransactionState[]> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  PrepareEpochFence: ['Ongoing'],
  Dead: ['Empty', 'CompleteCommit', 'CompleteAbort'],
};

/** Whether `from` → `to` is a legal transition. */
export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return VALID_PREVIOUS[to].includes(from);
}

/**
 * The entry moved to `to` with `changes`; throws BRK_TXN_STATE_INVALID on an illegal transition (a bug in
 * the coordinator, never a client mistake: those are answered with error codes first).
 *
 * @example
 * const prepared = transition(entry, 'PrepareCommit', {}, Date.now());
 */
export function transition(
  entry: Readonly<TransactionalIdEntry>,
  to: TransactionState,
  changes: Partial<TransactionalIdEntry>,
  nowMs: number,
): TransactionalIdEntry {
  if (!canTransition(entry.state, to)) {
    throw new StreamError('BRK_TXN_STATE_INVALID', `transaction cannot go from ${entry.state} to ${to}`, {
      details: { from: entry.state, to },
    });
  }
  return { ...entry, ...changes, state: to, updatedAtMs: nowMs };
}

/** Whether a commit or abort is being written out (requests for the id answer CONCURRENT_TRANSACTIONS). */
export function isCompleting(state: TransactionState): boolean {
  return state === 'PrepareCommit' || state === 'PrepareAbort' || state === 'PrepareEpochFence';
}

/**
 * The producer check every transactional request starts with: the id must map to this producer id
 * (INVALID_PRODUCER_ID_MAPPING) at exactly its current epoch (PRODUCER_FENCED). NONE when it passes.
 */
export function checkProducer(
  entry: Readonly<TransactionalIdEntry> | undefined,
  producerId: number,
  producerEpoch: number,
): number {
  if (entry === undefined || entry.producerId !== producerId) return KafkaError.INVALID_PRODUCER_ID_MAPPING;
  if (entry.producerEpoch !== producerEpoch) return KafkaError.PRODUCER_FENCED;
  return KafkaError.NONE;
}

/** What a request does to an entry: an error, nothing (already so), or a new entry to persist. */
export type TxnDecision =
  | { readonly kind: 'error'; readonly errorCode: number }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'update'; readonly next: TransactionalIdEntry };

/** The topic-partitions an entry's open transaction holds, as `topic\0partition` keys. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * AddPartitionsToTxn (and AddOffsetsToTxn, with `groups`): starts the transaction if none is open (its
 * timeout counts from now) and adds what is new. A transaction being completed answers
 * CONCURRENT_TRANSACTIONS; the client retries.
 */
export function addToTransaction(
  entry: Readonly<TransactionalIdEntry> | undefined,
  request: {
    producerId: number;
    producerEpoch: number;
    partitions?: readonly [string, number][];
    groups?: readonly string[];
  },
  nowMs: number,
): TxnDecision {
  const producer = checkProducer(entry, request.producerId, request.producerEpoch);
  if (producer !== KafkaError.NONE || entry === undefined)
    return { kind: 'error', errorCode: producer || KafkaError.INVALID_PRODUCER_ID_MAPPING };
  if (isCompleting(entry.state)) return { kind: 'error', errorCode: KafkaError.CONCURRENT_TRANSACTIONS };
  if (entry.state === 'Dead') return { kind: 'error', errorCode: KafkaError.INVALID_PRODUCER_ID_MAPPING };
  const ongoing = entry.state === 'Ongoing';
  const partitions = ongoing ? [...(entry.partitions ?? [])] : [];
  const groups = ongoing ? [...(entry.groups ?? [])] : [];
  const known = new Set(partitions.map(([t, p]) => partitionKey(t, p)));
  let added = false;
  for (const [topic, partition] of request.partitions ?? []) {
    const key = partitionKey(topic, partition);
    if (known.has(key)) continue;
    known.add(key);
    partitions.push([topic, partition]);
    added = true;
  }
  for (const group of request.groups ?? []) {
    if (groups.includes(group)) continue;
    groups.push(group);
    added = true;
  }
  if (ongoing && !added) return { kind: 'unchanged' };
  const changes: Partial<TransactionalIdEntry> = ongoing
    ? { partitions, groups }
    : { partitions, groups, pendingOffsets: [], txnStartMs: nowMs };
  return { kind: 'update', next: transition(entry, 'Ongoing', changes, nowMs) };
}

/** What EndTxn does. */
export type EndDecision =
  | { readonly kind: 'error'; readonly errorCode: number }
  /** A retry of an EndTxn that already completed the same way: answer success again. */
  | { readonly kind: 'done' }
  | { readonly kind: 'prepare'; readonly next: TransactionalIdEntry };

/**
 * EndTxn (Kafka's handleEndTransaction): Ongoing → PrepareCommit/PrepareAbort; a retry after completion
 * with the same outcome succeeds again; a retry while completing answers CONCURRENT_TRANSACTIONS; the
 * opposite outcome, or ending a transaction that never started, is INVALID_TXN_STATE.
 */
export function endTransaction(
  entry: Readonly<TransactionalIdEntry> | undefined,
  request: { producerId: number; producerEpoch: number; commit: boolean },
  nowMs: number,
): EndDecision {
  const producer = checkProducer(entry, request.producerId, request.producerEpoch);
  if (producer !== KafkaError.NONE || entry === undefined)
    return { kind: 'error', errorCode: producer || KafkaError.INVALID_PRODUCER_ID_MAPPING };
  const { commit } = request;
  switch (entry.state) {
    case 'Ongoing':
      return {
        kind: 'prepare',
        next: transition(entry, commit ? 'PrepareCommit' : 'PrepareAbort', {}, nowMs),
      };
    case 'CompleteCommit':
      return commit ? { kind: 'done' } : { kind: 'error', errorCode: KafkaError.INVALID_TXN_STATE };
    case 'CompleteAbort':
      return commit ? { kind: 'error', errorCode: KafkaError.INVALID_TXN_STATE } : { kind: 'done' };
    case 'PrepareCommit':
      return {
        kind: 'error',
        errorCode: commit ? KafkaError.CONCURRENT_TRANSACTIONS : KafkaError.INVALID_TXN_STATE,
      };
    case 'PrepareAbort':
      return {
        kind: 'error',
        errorCode: commit ? KafkaError.INVALID_TXN_STATE : KafkaError.CONCURRENT_TRANSACTIONS,
      };
    default:
      return { kind: 'error', errorCode: KafkaError.INVALID_TXN_STATE };
  }
}

/** The highest producer epoch (Java's Short.MAX_VALUE). */
const MAX_EPOCH = 32_767;

/**
 * An Ongoing transaction aborted by the coordinator (timeout, or a new InitProducerId): the epoch is
 * bumped so the old producer is fenced, and the abort is prepared at the new epoch (Kafka's
 * prepareFenceProducerEpoch followed by the abort; PrepareEpochFence is never stored).
 */
export function fenceAndAbort(entry: Readonly<TransactionalIdEntry>, nowMs: number): TransactionalIdEntry {
  const fenced = transition(
    entry,
    'PrepareEpochFence',
    { producerEpoch: Math.min(entry.producerEpoch + 1, MAX_EPOCH), lastProducerEpoch: -1 },
    nowMs,
  );
  return transition(fenced, 'PrepareAbort', {}, nowMs);
}

/** The entry after its commit or abort is written out: nothing of the transaction is kept. */
export function completeTransaction(
  entry: Readonly<TransactionalIdEntry>,
  nowMs: number,
): TransactionalIdEntry {
  const to = entry.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
  return transition(entry, to, { partitions: [], groups: [], pendingOffsets: [], txnStartMs: -1 }, nowMs);
}

/** Whether an Ongoing transaction has outlived its timeout. */
export function isTimedOut(entry: Readonly<TransactionalIdEntry>, nowMs: number): boolean {
  return (
    entry.state === 'Ongoing' &&
    entry.txnStartMs !== undefined &&
    entry.txnStartMs >= 0 &&
    nowMs - entry.txnStartMs > entry.timeoutMs
  );
}
