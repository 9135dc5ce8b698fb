import { TXN_OFFSET_COMMIT_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { everyPartition, type TxnOffsetCommitResult } from '../transactions/txn-offset-commit.ts';
import { defineHandler } from './handler.ts';
import { coordinatorCall, fencedForVersion } from './txn-request.ts';

interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  /** v3+ (KIP-447); -1, '' and null before. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[];
  }[];
}

interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: TxnOffsetCommitResult;
}

/**
 * TxnOffsetCommit v0–3: offsets committed inside the producer's transaction (after AddOffsetsToTxn for
 * the group), visible only once it commits. v3 adds the member's generation and ids, checked as Kafka
 * checks them (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID). PRODUCER_FENCED is
 * INVALID_PRODUCER_EPOCH before v3.
 */
export const txnOffsetCommitHandler = defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  schema: TXN_OFFSET_COMMIT_SCHEMA,
  versions: { min: 0, max: 3 },
  async handle(request, { apiVersion, broker }) {
    const input = {
      transactionalId: request.transactionalId,
      groupId: request.groupId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      member: {
        memberId: apiVersion >= 3 ? request.memberId : '',
        groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
        generationId: apiVersion >= 3 ? request.generationId : -1,
      },
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          ...p,
          committedLeaderEpoch: apiVersion >= 2 ? p.committedLeaderEpoch : -1,
        })),
      })),
    };
    const invalid =
      request.transactionalId === ''
        ? KafkaError.INVALID_REQUEST
        : request.groupId === ''
          ? KafkaError.INVALID_GROUP_ID
          : 0;
    const topics =
      invalid !== 0
        ? everyPartition(input, invalid)
        : await coordinatorCall(
            () => broker.transactions.txnOffsetCommit(input),
            () => everyPartition(input, KafkaError.COORDINATOR_NOT_AVAILABLE),
          );
    for (const t of topics)
      for (const p of t.partitions) p.errorCode = fencedForVersion(p.errorCode, apiVersion, 3);
    return { throttleTimeMs: 0, topics };
  },
});
