// Produce's append step with producer state: the batch is checked against its producer's state and
// appended under the partition's append lock, so two connections retrying the same batch at once cannot
// both append it.

import type { AppendResult, PartitionLog } from '../storage/partition-log.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import type { BatchMetadata } from './append-rules.ts';
import type { AdmitCheck, DeclinedVerdict } from './producer-state-manager.ts';
import type { ProducerStates } from './producer-states.ts';
import { batchFields } from './rebuild.ts';

/** How an append with producer state ended. */
export type ProducerAppendOutcome =
  | { readonly kind: 'appended'; readonly result: AppendResult }
  /** A retry of a stored batch: nothing appended; answer with the stored batch's offsets. */
  | { readonly kind: 'duplicate'; readonly batch: BatchMetadata }
  | { readonly kind: 'rejected'; readonly errorCode: number; readonly errorMessage: string };

/** An append with producer state whose flush may still be pending (see appendWithProducerState). */
export interface StagedProducerAppend {
  readonly outcome: ProducerAppendOutcome;
  /**
   * Settles once the appended batch — or, for a duplicate, the original — is durable under the partition's
   * durability mode; null when there is nothing to wait for. Rejects with the storage's errors.
   */
  readonly durable: Promise<void> | null;
}

/**
 * Appends one validated batch (producer fields already checked for form) after `admitCheck` (the
 * transaction check of a transactional batch) and the idempotence checks, all under the append lock.
 * Resolves once the batch is written (or declined); the wait for durability comes back apart in
 * `durable`, so Produce can append a connection's next request meanwhile and both share one fdatasync.
 * Storage errors of the write are thrown as by TopicStore.append; those of the flush reject `durable`.
 *
 * @example
 * const { outcome, durable } = await appendWithProducerState(topics, states, 'orders', 0, log, batch, now);
 * await durable; // now answer with outcome
 */
export async function appendWithProducerState(
  store: TopicStore,
  states: ProducerStates,
  topic: string,
  partition: number,
  log: PartitionLog,
  batch: Buffer,
  nowMs: number,
  admitCheck: AdmitCheck | null = null,
): Promise<StagedProducerAppend> {
  const guard = states
    .forPartition(topic, partition, log)
    .guard(batchFields(batch, 0), nowMs, admitCheck ?? undefined);
  const staged = await store.appendStaged(topic, partition, log, batch, guard);
  if (staged !== null)
    return { outcome: { kind: 'appended', result: staged.result }, durable: staged.durable };
  // appendStaged returns null only when the guard declined, which sets `declined`.
  const verdict = guard.declined as DeclinedVerdict;
  if (verdict.kind === 'reject') {
    return {
      outcome: { kind: 'rejected', errorCode: verdict.errorCode, errorMessage: verdict.errorMessage },
      durable: null,
    };
  }
  // The original may still wait for its fdatasync (its own request is then still waiting too): the retry
  // must not be acknowledged before the data it points at is durable.
  const durable = log.currentConfig.durability === 'fsync' ? log.flush() : null;
  return { outcome: { kind: 'duplicate', batch: verdict.batch }, durable };
}
