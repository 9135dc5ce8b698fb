import { ADD_PARTITIONS_TO_TXN_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { defineHandler } from './handler.ts';
import { coordinatorCall, fencedForVersion } from './txn-request.ts';

interface AddPartitionsToTxnRequest {
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: number;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: { name: string; partitions: number[] }[];
}

interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  resultsByTopicV3AndBelow: {
    name: string;
    resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
  }[];
}

/**
 * AddPartitionsToTxn v0–3: registers the partitions a transactional producer is about to write. As in
 * Kafka, when any partition is unknown (UNKNOWN_TOPIC_OR_PARTITION) nothing is added and the others get
 * OPERATION_NOT_ATTEMPTED; otherwise every partition gets the coordinator's answer (PRODUCER_FENCED, sent
 * as INVALID_PRODUCER_EPOCH before v2; CONCURRENT_TRANSACTIONS while the previous transaction completes).
 */
export const addPartitionsToTxnHandler = defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(
  {
    schema: ADD_PARTITIONS_TO_TXN_SCHEMA,
    versions: { min: 0, max: 3 },
    async handle(request, { apiVersion, broker }) {
      const topics = request.v3AndBelowTopics;
      const exists = (topic: string, p: number) => broker.topics.partition(topic, p) !== undefined;
      const unknown = topics.some((t) => t.partitions.some((p) => !exists(t.name, p)));
      const answer = (code: (topic: string, p: number) => number): AddPartitionsToTxnResponse => ({
        throttleTimeMs: 0,
        resultsByTopicV3AndBelow: topics.map((t) => ({
          name: t.name,
          resultsByPartition: t.partitions.map((p) => ({
            partitionIndex: p,
            partitionErrorCode: code(t.name, p),
          })),
        })),
      });
      if (unknown) {
        return answer((topic, p) =>
          exists(topic, p) ? KafkaError.OPERATION_NOT_ATTEMPTED : KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
        );
      }
      const transactionalId = request.v3AndBelowTransactionalId;
      if (transactionalId === '') return answer(() => KafkaError.INVALID_REQUEST);
      const errorCode = await coordinatorCall(
        () =>
          broker.transactions.addPartitions(
            {
              transactionalId,
              producerId: request.v3AndBelowProducerId,
              producerEpoch: request.v3AndBelowProducerEpoch,
            },
            topics.flatMap((t) => t.partitions.map((p): [string, number] => [t.name, p])),
          ),
        () => KafkaError.COORDINATOR_NOT_AVAILABLE,
      );
      const code = fencedForVersion(errorCode, apiVersion, 2);
      return answer(() => code);
    },
  },
);
