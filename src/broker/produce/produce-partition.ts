// One partition of a Produce request: checks, the broker's rewrites of the batch, the append.

import { isStreamError } from '../../common/errors.ts';
import { setLogAppendTime, setPartitionLeaderEpoch } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import { appendWithProducerState } from '../producers/idempotent-append.ts';
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

/**
 * Validates and appends one partition's records, with the idempotence checks of its producer state and,
 * for a transactional batch, the coordinator's check (`txns`) that the partition is in the producer's
 * ongoing transaction. Resolves when the append is durable under the partition's durability mode; client
 * mistakes and storage failures come back as error codes.
 */
export async function producePartition(
  store: TopicStore,
  producers: ProducerStates,
  topic: string,
  index: number,
  records: Buffer | null,
  request: { apiVersion: number; acks: number },
  txns?: TransactionalWrites,
): Promise<PartitionProduceResult> {
  const log = store.partition(topic, index);
  const settings = store.settings(topic);
  if (log === undefined || settings === undefined) {
    return failed(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${index} does not exist`);
  }
  const header = checkFraming(records, request.apiVersion);
  if ('errorCode' in header) return failed(index, header.errorCode, header.errorMessage);
  // checkFraming proved `records` holds exactly one whole batch and nothing else.
  let batch = records as Buffer;
  const now = Date.now();
  const checked = checkBatch(batch, header, settings, now);
  if ('errorCode' in checked) return failed(index, checked.errorCode, checked.errorMessage);
  const admitCheck = transactionalCheck(header, topic, index, txns);
  if (request.acks === -1 && settings.minInsyncReplicas > 1) {
    return failed(
      index,
      KafkaError.NOT_ENOUGH_REPLICAS,
      `min.insync.replicas is ${settings.minInsyncReplicas} but a single broker has 1 in-sync replica`,
    );
  }
  if (settings.compressionCodec !== null) {
    try {
      batch = recompressBatch(batch, settings.compressionCodec);
    } catch (error) {
      if (isStreamError(error)) return failed(index, KafkaError.CORRUPT_MESSAGE, error.message);
      throw error;
    }
  }
  setPartitionLeaderEpoch(batch, 0, LEADER_EPOCH);
  if (settings.logAppendTime) setLogAppendTime(batch, 0, now);
  try {
    const outcome = await appendWithProducerState(
      store,
      producers,
      topic,
      index,
      log,
      batch,
      now,
      admitCheck,
    );
    if (outcome.kind === 'rejected') return failed(index, outcome.errorCode, outcome.errorMessage);
    // A retried duplicate gets the offsets (and time) its first append got.
    const appended = outcome.kind === 'appended';
    return {
      index,
      errorCode: KafkaError.NONE,
      baseOffset: appended ? outcome.result.baseOffset : outcome.batch.firstOffset,
      logAppendTimeMs: !settings.logAppendTime ? -1 : appended ? now : outcome.batch.timestamp,
      logStartOffset: log.logStartOffset,
      errorMessage: null,
    };
  } catch (error) {
    // The topic was deleted while the request waited; or the disk failed and the log stopped.
    if (isStreamError(error, 'BRK_STORAGE_CLOSED')) {
      return failed(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${index} was deleted`);
    }
    if (isStreamError(error, 'BRK_STORAGE_IO'))
      return failed(index, KafkaError.KAFKA_STORAGE_ERROR, error.message);
    throw error;
  }
}
