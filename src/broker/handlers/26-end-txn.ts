import { END_TXN_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { defineHandler } from './handler.ts';
import { coordinatorCall, fencedForVersion } from './txn-request.ts';

interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

/**
 * EndTxn v0–3: commits or aborts the producer's transaction. The answer leaves once the markers in every
 * partition and the transaction's committed offsets are durable; a retry of a finished EndTxn succeeds
 * again, one of the opposite outcome is INVALID_TXN_STATE. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH
 * before v2.
 */
export const endTxnHandler = defineHandler<EndTxnRequest, EndTxnResponse>({
  schema: END_TXN_SCHEMA,
  versions: { min: 0, max: 3 },
  async handle(request, { apiVersion, broker }) {
    const { transactionalId, producerId, producerEpoch, committed } = request;
    if (transactionalId === '') return { throttleTimeMs: 0, errorCode: KafkaError.INVALID_REQUEST };
    const errorCode = await coordinatorCall(
      () => broker.transactions.endTxn({ transactionalId, producerId, producerEpoch }, committed),
      () => KafkaError.COORDINATOR_NOT_AVAILABLE,
    );
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, apiVersion, 2) };
  },
});
