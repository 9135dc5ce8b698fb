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

/**
 * Appends one validated batch (producer fields already checked for form) after `admitCheck` (the
 * transaction check of a transactional batch) and the idempotence checks, all under the append lock.
 * Resolves when the appended batch — or, for a duplicate, the original — is durable under the
 * partition's durability mode. Storage errors are thrown as by TopicStore.append.
 *
 * @example
 * const outcome = await appendWithProducerState(topics, producers.states, 'orders', 0, log, batch, Date.now());
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
): Promise<ProducerAppendOutcome> {
  const guard = states
    .forPartition(topic, partition, log)
    .guard(batchFields(batch, 0), nowMs, admitCheck ?? undefined);
  const result = await store.appendIf(topic, partition, log, batch, guard);
  if (result !== null) return { kind: 'appended', result };
  // appendIf returns null only when the guard declined, which sets `declined`.
  const verdict = guard.declined as DeclinedVerdict;
  if (verdict.kind === 'reject') {
    return { kind: 'rejected', errorCode: verdict.errorCode, errorMessage: verdict.errorMessage };
  }
  // The original may still wait for its fdatasync (its own request is then still waiting too): the retry
  // must not be acknowledged before the data it points at is durable.
  if (log.currentConfig.durability === 'fsync') await log.flush();
  return { kind: 'duplicate', batch: verdict.batch };
}
