// One partition of a Produce request: checks, the broker's rewrites of the batch, the append.

import { isStreamError } from '../../common/errors.ts';
import { setLogAppendTime, setPartitionLeaderEpoch } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import { appendWithProducerState, type StagedProducerAppend } from '../producers/idempotent-append.ts';
import type { ProducerStates } from '../producers/producer-states.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import { checkBatch, checkFraming } from './check-batch.ts';
import { type TransactionalWrites, transactionalCheck } from './producer-fields.ts';
import { recompressBatch } from './recompress.ts';

/** A partition's produce answer (PartitionProduceResponse) plus a message for logs on failure. */
export interface PartitionProduceResult {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
}

/** The leader epoch eddy reports everywhere (Metadata, ListOffsets) and stamps on stored batches. */
export const LEADER_EPOCH = 0;

function failed(index: number, errorCode: number, errorMessage: string): PartitionProduceResult {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage };
}

/** A partition's produce answer in two steps (see producePartition). */
export interface StagedPartitionResult {
  /** The answer as known once the batch is written, or refused before that. */
  readonly written: PartitionProduceResult;
  /**
   * The final answer, once the write is durable under the partition's durability mode (a failed flush
   * becomes an error code); null when there is nothing to wait for (refused, or `os` mode).
   */
  readonly durable: Promise<PartitionProduceResult> | null;
}

const done = (written: PartitionProduceResult): StagedPartitionResult => ({ written, durable: null });

/**
 * Validates and appends one partition's records, with the idempotence checks of its producer state and,
 * for a transactional batch, the coordinator's check (`txns`) that the partition is in the producer's
 * ongoing transaction. Resolves once the batch is written to the log (its offsets assigned, the producer
 * state updated, in call order with the partition's other appends) or refused; the wait for durability
 * comes back apart in `durable`. Client mistakes and storage failures come back as error codes. Nothing
 * refers to `records` after the returned promise settles.
 */
export async function producePartition(
  store: TopicStore,
  producers: ProducerStates,
  topic: string,
  index: number,
  records: Buffer | null,
  request: { apiVersion: number; acks: number },
  txns?: TransactionalWrites,
): Promise<StagedPartitionResult> {
  const log = store.partition(topic, index);
  const settings = store.settings(topic);
  if (log === undefined || settings === undefined) {
    return done(failed(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${index} does not exist`));
  }
  const header = checkFraming(records, request.apiVersion);
  if ('errorCode' in header) return done(failed(index, header.errorCode, header.errorMessage));
  // checkFraming proved `records` holds exactly one whole batch and nothing else.
  let batch = records as Buffer;
  const now = Date.now();
  const checked = checkBatch(batch, header, settings, now);
  if ('errorCode' in checked) return done(failed(index, checked.errorCode, checked.errorMessage));
  const admitCheck = transactionalCheck(header, topic, index, txns);
  if (request.acks === -1 && settings.minInsyncReplicas > 1) {
    return done(
      failed(
        index,
        KafkaError.NOT_ENOUGH_REPLICAS,
        `min.insync.replicas is ${settings.minInsyncReplicas} but a single broker has 1 in-sync replica`,
      ),
    );
  }
  if (settings.compressionCodec !== null) {
    try {
      batch = recompressBatch(batch, settings.compressionCodec);
    } catch (error) {
      if (isStreamError(error)) return done(failed(index, KafkaError.CORRUPT_MESSAGE, error.message));
      throw error;
    }
  }
  setPartitionLeaderEpoch(batch, 0, LEADER_EPOCH);
  if (settings.logAppendTime) setLogAppendTime(batch, 0, now);
  let staged: StagedProducerAppend;
  try {
    staged = await appendWithProducerState(store, producers, topic, index, log, batch, now, admitCheck);
  } catch (error) {
    return done(storageFailure(error, topic, index));
  }
  const { outcome } = staged;
  if (outcome.kind === 'rejected') return done(failed(index, outcome.errorCode, outcome.errorMessage));
  // A retried duplicate gets the offsets (and time) its first append got.
  const appended = outcome.kind === 'appended';
  const written: PartitionProduceResult = {
    index,
    errorCode: KafkaError.NONE,
    baseOffset: appended ? outcome.result.baseOffset : outcome.batch.firstOffset,
    logAppendTimeMs: !settings.logAppendTime ? -1 : appended ? now : outcome.batch.timestamp,
    logStartOffset: log.logStartOffset,
    errorMessage: null,
  };
  if (staged.durable === null) return done(written);
  const durable = staged.durable.then(
    // The log start may have moved while the flush ran (retention, DeleteRecords): answer the current one.
    () => ({ ...written, logStartOffset: log.logStartOffset }),
    (error: unknown) => storageFailure(error, topic, index),
  );
  return { written, durable };
}

/** The answer for a storage error; anything that is not one is a broker bug and is rethrown. */
function storageFailure(error: unknown, topic: string, index: number): PartitionProduceResult {
  // The topic was deleted while the request waited; or the disk failed and the log stopped.
  if (isStreamError(error, 'BRK_STORAGE_CLOSED')) {
    return failed(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${index} was deleted`);
  }
  if (isStreamError(error, 'BRK_STORAGE_IO'))
    return failed(index, KafkaError.KAFKA_STORAGE_ERROR, error.message);
  throw error;
}
