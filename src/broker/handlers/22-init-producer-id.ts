import { isStreamError } from '../../common/errors.ts';
import { INIT_PRODUCER_ID_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID } from '../producers/append-rules.ts';
import { defineHandler } from './handler.ts';

interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+ (KIP-360): the producer's current id and epoch when it asks for an epoch bump; -1 otherwise. */
  producerId: number;
  producerEpoch: number;
}

interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/**
 * InitProducerId v0–4: a new producer id at epoch 0 for an idempotent producer; for a transactional id,
 * its stable producer id with the next epoch (fencing older instances), after checking the transaction
 * timeout against `transaction.max.timeout.ms`. An open transaction of the id is aborted first; while a
 * commit or abort is being written the answer is CONCURRENT_TRANSACTIONS. Clients before v4 do not know PRODUCER_FENCED and get
 * INVALID_PRODUCER_EPOCH instead, as Kafka answers them.
 */
export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  schema: INIT_PRODUCER_ID_SCHEMA,
  versions: { min: 0, max: 4 },
  async handle(request, { apiVersion, broker }) {
    const fields = {
      transactionalId: request.transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      producerId: apiVersion >= 3 ? request.producerId : NO_PRODUCER_ID,
      producerEpoch: apiVersion >= 3 ? request.producerEpoch : NO_PRODUCER_EPOCH,
    };
    let result: { errorCode: number; producerId: number; producerEpoch: number };
    try {
      result = await broker.transactions.initProducerId(fields);
    } catch (error) {
      // The broker is shutting down (or its metadata disk failed): the client retries elsewhere or later.
      if (!isStreamError(error, 'BRK_STORAGE_CLOSED') && !isStreamError(error, 'BRK_STORAGE_IO')) throw error;
      result = { errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
    }
    const errorCode =
      apiVersion < 4 && result.errorCode === KafkaError.PRODUCER_FENCED
        ? KafkaError.INVALID_PRODUCER_EPOCH
        : result.errorCode;
    return { throttleTimeMs: 0, ...result, errorCode };
  },
});
