// Writing out a decided transaction: after PrepareCommit/PrepareAbort is durable, the markers go to
// every partition and the group offsets are applied (commit) or dropped (abort), then the Complete state
// is stored. Used by EndTxn, by aborts the coordinator starts itself (timeouts, re-initialised
// producers), and at startup for outcomes a stop interrupted.

import type { Logger } from '../../common/logging.ts';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import type { ProducerStates } from '../producers/producer-states.ts';
import type { TransactionalIdEntry, TransactionalIds } from '../producers/transactional-ids.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import type { KeyedQueue } from './keyed-queue.ts';
import { writeMarkers } from './markers.ts';
import { type PendingOffsetMarks, toCommitted } from './pending-offsets.ts';
import { completeTransaction } from './txn-state.ts';

/**
 * The coordinator epoch written into markers. One node coordinates every transactional id for the life
 * of the data directory, so no other coordinator can ever be fenced: it stays 0.
 */
export const COORDINATOR_EPOCH = 0;

const RETRY_MS = [50, 200, 1000];

/** What completions use, shared with the coordinator. */
export interface CompletionContext {
  topics: TopicStore;
  states: ProducerStates;
  groups: GroupCoordinator;
  ids: TransactionalIds;
  /** The coordinator's per-transactional-id queue. */
  queue: KeyedQueue;
  marks: PendingOffsetMarks;
  log: Logger;
  clock: () => number;
  /** True once the coordinator is closing: failed writes are then left for the next start. */
  closed: () => boolean;
}

/**
 * The completions in flight, at most one per transactional id.
 *
 * @example
 * await completions.run('copier', preparedEntry); // markers, offsets, then CompleteCommit
 */
export class TxnCompletions {
  /** Test seam: awaited before a completion writes its markers (to observe CONCURRENT_TRANSACTIONS). */
  beforeMarkers: (() => Promise<void>) | null = null;
  private readonly ctx: CompletionContext;
  private readonly running = new Map<string, Promise<void>>();

  constructor(ctx: CompletionContext) {
    this.ctx = ctx;
  }

  /** Completions in flight. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Writes a prepared outcome out and stores the Complete state. Call outside the id's queue: the last
   * step takes it. A completion already running for the id is returned instead of a second one.
   */
  run(txnId: string, prepared: TransactionalIdEntry): Promise<void> {
    const running = this.running.get(txnId);
    if (running !== undefined) return running;
    const completion = (async () => {
      await this.beforeMarkers?.();
      await this.writeOutcome(txnId, prepared);
      await this.ctx.queue.run(txnId, () => this.finish(txnId, prepared));
    })().finally(() => this.running.delete(txnId));
    this.running.set(txnId, completion);
    return completion;
  }

  /** Markers to every partition, then the offsets (commit) or their removal (abort); retried until done. */
  async writeOutcome(txnId: string, prepared: TransactionalIdEntry): Promise<void> {
    const { ctx } = this;
    const commit = prepared.state === 'PrepareCommit';
    const marker = {
      producerId: prepared.producerId,
      producerEpoch: prepared.producerEpoch,
      commit,
      coordinatorEpoch: COORDINATOR_EPOCH,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await writeMarkers(ctx.topics, ctx.states, prepared.partitions ?? [], marker, ctx.clock);
        if (commit) await ctx.groups.applyTxnOffsets(toCommitted(prepared.pendingOffsets ?? []));
        break;
      } catch (error) {
        // A failed disk or a closing broker: the outcome is durable as PrepareX and resumes at next open.
        if (ctx.closed()) throw error;
        ctx.log.warn(
          { err: error, transactionalId: txnId, attempt },
          'writing a transaction outcome failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
      }
    }
    ctx.marks.remove(prepared.pendingOffsets ?? []);
  }

  /** Stores CompleteCommit/CompleteAbort unless the entry moved on meanwhile (it cannot while PrepareX). */
  async finish(txnId: string, prepared: TransactionalIdEntry): Promise<void> {
    const current = this.ctx.ids.get(txnId);
    if (current?.state !== prepared.state || current.producerEpoch !== prepared.producerEpoch) return;
    await this.ctx.ids.put(txnId, completeTransaction(current, this.ctx.clock()));
  }

  /** Resolves when every completion in flight has settled. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
