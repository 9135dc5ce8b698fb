import { ADD_OFFSETS_TO_TXN_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { defineHandler } from './handler.ts';
import { coordinatorCall, fencedForVersion } from './txn-request.ts';

interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

/**
 * AddOffsetsToTxn v0–1: the group's committed offsets join the transaction (Kafka adds the group's
 * `__consumer_offsets` partition); the producer then sends TxnOffsetCommit. Both versions predate
 * PRODUCER_FENCED, so a fenced producer gets INVALID_PRODUCER_EPOCH.
 */
export const addOffsetsToTxnHandler = defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  schema: ADD_OFFSETS_TO_TXN_SCHEMA,
  versions: { min: 0, max: 1 },
  async handle(request, { apiVersion, broker }) {
    const { transactionalId, producerId, producerEpoch, groupId } = request;
    if (transactionalId === '') return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_REQUEST };
    if (groupId === '') return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_GROUP_ID };
    const errorCode = await coordinatorCall(
      () => broker.transactions.addOffsets({ transactionalId, producerId, producerEpoch }, groupId),
      () => KafkaError.COORDINATOR_NOT_AVAILABLE,
    );
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, apiVersion, 2) };
  },
});
