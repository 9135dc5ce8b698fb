// The transaction coordinator (Kafka's TransactionCoordinator, transaction version 1, on one node): the
// state of each transactional id lives in the producers' meta store and is made durable before any answer
// that depends on it; commits and aborts are written to every partition of the transaction and to the
// committed offsets before EndTxn answers. See docs/internals/transactions.md.

import type { Logger } from '../../common/logging.ts';
import { KafkaError } from '../error-codes.ts';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../producers/append-rules.ts';
import type { InitProducerIdInput, Producers } from '../producers/producers.ts';
import {
  type InitResult,
  isExpectedProducerValid,
  type TransactionalIdEntry,
} from '../producers/transactional-ids.ts';
import type { Failure } from '../topics/topic-rules.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import { TxnCompletions } from './completion.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { mergePending, PendingOffsetMarks } from './pending-offsets.ts';
import {
  everyPartition,
  pendingOffsetsOf,
  type TxnOffsetCommitInput,
  type TxnOffsetCommitResult,
} from './txn-offset-commit.ts';
import {
  addToTransaction,
  checkProducer,
  endTransaction,
  fenceAndAbort,
  isCompleting,
  isTimedOut,
} from './txn-state.ts';
import { verifyTransactionalWrite } from './write-check.ts';

/** What TransactionCoordinator.open needs. */
export interface TransactionCoordinatorOptions {
  producers: Producers;
  topics: TopicStore;
  groups: GroupCoordinator;
  log: Logger;
  clock?: () => number;
}

/** A request naming a transactional id, producer id and epoch. */
export interface TxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

/**
 * Transactions of one broker: InitProducerId for transactional ids, AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit, EndTxn, timeouts, and the check Produce makes for transactional batches.
 *
 * @example
 * const txns = await TransactionCoordinator.open({ producers, topics, groups, log });
 * await txns.endTxn({ transactionalId: 'copier', producerId: 4, producerEpoch: 0 }, true);
 */
export class TransactionCoordinator {
  private readonly producers: Producers;
  private readonly topics: TopicStore;
  private readonly groups: GroupCoordinator;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly queue = new KeyedQueue();
  private readonly marks: PendingOffsetMarks;
  /** Producer id → transactional id, for the Produce check (stale after a rotation; always re-checked). */
  private readonly byProducer = new Map<number, string>();
  private readonly completions: TxnCompletions;
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(options: TransactionCoordinatorOptions) {
    this.producers = options.producers;
    this.topics = options.topics;
    this.groups = options.groups;
    this.log = options.log.child({ component: 'transactions' });
    this.clock = options.clock ?? Date.now;
    this.marks = new PendingOffsetMarks(options.groups);
    this.completions = new TxnCompletions({
      topics: options.topics,
      states: options.producers.states,
      groups: options.groups,
      ids: options.producers.transactionalIds,
      queue: this.queue,
      marks: this.marks,
      log: this.log,
      clock: this.clock,
      closed: () => this.closed,
    });
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping
        .then(() => this.abortTimedOut())
        .catch((error: unknown) => this.log.error({ err: error }, 'aborting timed-out transactions failed'));
    }, options.producers.config.transactionAbortTimedOutIntervalMs);
    this.timer.unref();
  }

  /**
   * Indexes the stored transactional ids, marks their pending offsets, and resumes commits and aborts a
   * stop interrupted (their outcome was decided before the stop). Open transactions stay open: they are
   * completed by their producer or aborted when they time out.
   */
  static async open(options: TransactionCoordinatorOptions): Promise<TransactionCoordinator> {
    const coordinator = new TransactionCoordinator(options);
    let open = 0;
    for (const [txnId, entry] of options.producers.transactionalIds.entries()) {
      coordinator.byProducer.set(entry.producerId, txnId);
      if (entry.state === 'Ongoing') open++;
      if (entry.state === 'Ongoing' || isCompleting(entry.state))
        coordinator.marks.add(entry.pendingOffsets ?? []);
      if (isCompleting(entry.state)) {
        coordinator.completions.run(txnId, entry).catch((error: unknown) => {
          coordinator.log.warn(
            { err: error, transactionalId: txnId },
            'resuming a transaction completion failed',
          );
        });
      }
    }
    if (open + coordinator.completions.size > 0)
      coordinator.log.info({ open, completing: coordinator.completions.size }, 'transactions recovered');
    return coordinator;
  }

  private get ids() {
    return this.producers.transactionalIds;
  }

  /** Test seam: awaited before a completion writes its markers (to observe CONCURRENT_TRANSACTIONS). */
  get beforeMarkers(): (() => Promise<void>) | null {
    return this.completions.beforeMarkers;
  }

  set beforeMarkers(hook: (() => Promise<void>) | null) {
    this.completions.beforeMarkers = hook;
  }

  /**
   * InitProducerId. For a transactional id with an Ongoing transaction, the transaction is aborted first
   * with a bumped epoch (fencing the old producer), then the epoch is bumped again for the caller; while a
   * commit or abort is being written out the answer is CONCURRENT_TRANSACTIONS (the client retries).
   */
  initProducerId(input: InitProducerIdInput): Promise<InitResult> {
    const { transactionalId } = input;
    if (transactionalId === null || transactionalId === '') return this.producers.initProducerId(input);
    const refuse = (errorCode: number): InitResult => ({
      errorCode,
      producerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
    });
    return this.queue.run(transactionalId, async () => {
      const invalid = this.producers.checkInitRequest(input);
      if (invalid !== KafkaError.NONE) return refuse(invalid);
      const entry = this.ids.get(transactionalId);
      if (entry !== undefined && isCompleting(entry.state)) return refuse(KafkaError.CONCURRENT_TRANSACTIONS);
      if (entry?.state === 'Ongoing') {
        const expected = input.producerId === NO_PRODUCER_ID ? null : input;
        if (!isExpectedProducerValid(entry, expected)) return refuse(KafkaError.PRODUCER_FENCED);
        const fenced = fenceAndAbort(entry, this.clock());
        await this.ids.put(transactionalId, fenced);
        this.log.info(
          { transactionalId, producerId: entry.producerId },
          'aborting the open transaction of a re-initialised producer',
        );
        await this.completions.writeOutcome(transactionalId, fenced);
        await this.completions.finish(transactionalId, fenced);
      }
      const result = await this.producers.initProducerId(input);
      if (result.errorCode === KafkaError.NONE) this.byProducer.set(result.producerId, transactionalId);
      return result;
    });
  }

  /** AddPartitionsToTxn for partitions that exist (the handler answers unknown ones itself). */
  addPartitions(request: TxnRequest, partitions: readonly [string, number][]): Promise<number> {
    return this.update(request.transactionalId, (entry, now) =>
      addToTransaction(entry, { ...request, partitions }, now),
    );
  }

  /** AddOffsetsToTxn: the group's committed offsets become part of the transaction. */
  addOffsets(request: TxnRequest, groupId: string): Promise<number> {
    return this.update(request.transactionalId, (entry, now) =>
      addToTransaction(entry, { ...request, groups: [groupId] }, now),
    );
  }

  /**
   * TxnOffsetCommit: offsets stored with the transaction, durably, invisible to OffsetFetch until the
   * transaction commits (requireStable readers get UNSTABLE_OFFSET_COMMIT meanwhile).
   */
  txnOffsetCommit(input: TxnOffsetCommitInput): Promise<TxnOffsetCommitResult> {
    return this.queue.run(input.transactionalId, async () => {
      const entry = this.ids.get(input.transactionalId);
      const producer = checkProducer(entry, input.producerId, input.producerEpoch);
      if (producer !== KafkaError.NONE || entry === undefined) return everyPartition(input, producer);
      if (isCompleting(entry.state)) return everyPartition(input, KafkaError.CONCURRENT_TRANSACTIONS);
      if (entry.state !== 'Ongoing' || !(entry.groups ?? []).includes(input.groupId))
        return everyPartition(input, KafkaError.INVALID_TXN_STATE);
      const member = this.groups.validateTxnOffsetCommit(input.groupId, input.member);
      if (member !== KafkaError.NONE) return everyPartition(input, member);
      const exists = (topic: string, partition: number) =>
        this.topics.partition(topic, partition) !== undefined;
      const now = this.clock();
      const { result, pending } = pendingOffsetsOf(
        input,
        exists,
        this.groups.config.offsetMetadataMaxSize,
        now,
      );
      if (pending.length === 0) return result;
      const { merged, fresh } = mergePending(entry.pendingOffsets ?? [], pending);
      await this.ids.put(input.transactionalId, { ...entry, pendingOffsets: merged, updatedAtMs: now });
      this.marks.add(fresh);
      return result;
    });
  }

  /**
   * EndTxn: PrepareCommit/PrepareAbort is made durable (the outcome is decided from here on, also across
   * a crash), then markers go to every partition and committed offsets become visible, then
   * CompleteCommit/CompleteAbort. Answers once all of it is durable.
   */
  async endTxn(request: TxnRequest, commit: boolean): Promise<number> {
    let prepared: TransactionalIdEntry | null = null;
    const errorCode = await this.queue.run(request.transactionalId, async () => {
      const decision = endTransaction(
        this.ids.get(request.transactionalId),
        { ...request, commit },
        this.clock(),
      );
      if (decision.kind === 'error') return decision.errorCode;
      if (decision.kind === 'done') return KafkaError.NONE;
      await this.ids.put(request.transactionalId, decision.next);
      prepared = decision.next;
      return KafkaError.NONE;
    });
    if (prepared === null) return errorCode;
    await this.completions.run(request.transactionalId, prepared);
    return KafkaError.NONE;
  }

  /**
   * Produce's check for a transactional batch, run under the partition's append lock: the producer's
   * transaction must be Ongoing at this epoch and hold the partition (else INVALID_TXN_STATE, or
   * INVALID_PRODUCER_EPOCH for an older epoch). Null when the batch may be appended.
   */
  verifyWrite(producerId: number, producerEpoch: number, topic: string, partition: number): Failure | null {
    const txnId = this.byProducer.get(producerId);
    const entry = txnId === undefined ? undefined : this.ids.get(txnId);
    return verifyTransactionalWrite(entry, producerId, producerEpoch, topic, partition);
  }

  /** Aborts (with an epoch bump) every Ongoing transaction older than its timeout; returns how many. */
  async abortTimedOut(): Promise<number> {
    const now = this.clock();
    const due = [...this.ids.entries()].filter(([, e]) => isTimedOut(e, now)).map(([id]) => id);
    const aborted = await Promise.all(
      due.map(async (txnId) => {
        const fenced = await this.queue.run(txnId, async () => {
          const entry = this.ids.get(txnId);
          if (entry === undefined || !isTimedOut(entry, now) || this.closed) return null;
          const next = fenceAndAbort(entry, now);
          await this.ids.put(txnId, next);
          this.log.info(
            { transactionalId: txnId, producerId: entry.producerId, timeoutMs: entry.timeoutMs },
            'aborting a timed-out transaction',
          );
          return next;
        });
        // Outside the id's queue: the completion takes it again to store CompleteAbort.
        if (fenced !== null) await this.completions.run(txnId, fenced);
        return fenced !== null;
      }),
    );
    return aborted.filter(Boolean).length;
  }

  /** Stops the timeout timer and waits for completions in flight (unfinished ones resume at the next open). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.sweeping;
    await this.completions.settle();
  }

  private async update(
    transactionalId: string,
    decide: (entry: TransactionalIdEntry | undefined, nowMs: number) => ReturnType<typeof addToTransaction>,
  ): Promise<number> {
    return this.queue.run(transactionalId, async () => {
      const decision = decide(this.ids.get(transactionalId), this.clock());
      if (decision.kind === 'error') return decision.errorCode;
      if (decision.kind === 'update') await this.ids.put(transactionalId, decision.next);
      return KafkaError.NONE;
    });
  }
}
