import { PRODUCE_SCHEMA } from '../../protocol/index.ts';
import { KafkaError } from '../error-codes.ts';
import { type PartitionProduceResult, producePartition } from '../produce/produce-partition.ts';
import { defineHandler, NO_RESPONSE } from './handler.ts';

interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
}

interface ProduceResponse {
  responses: { name: string; partitionResponses: Omit<PartitionProduceResult, 'errorMessage'>[] }[];
  throttleTimeMs: number;
}

/**
 * Produce v0–7: one RecordBatch v2 per partition, appended after Kafka's checks. v0–2 are advertised
 * for librdkafka's compression check (see the schema); their old message sets are refused with
 * UNSUPPORTED_FOR_MESSAGE_FORMAT, since eddy stores RecordBatch v2 only. acks=1 and acks=-1 are
 * answered once the append is durable under the partition's durability mode (after fdatasync in `fsync`
 * mode); acks=0 gets no answer at all, and any error closes the connection, as Kafka does.
 */
export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  schema: PRODUCE_SCHEMA,
  versions: { min: 0, max: 7 },
  async handle(request, { apiVersion, broker, connection }) {
    const { acks } = request;
    let results: PartitionProduceResult[][];
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      const invalid = (index: number): PartitionProduceResult => ({
        index,
        errorCode: KafkaError.INVALID_REQUIRED_ACKS,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        errorMessage: `acks must be -1, 0 or 1, not ${acks}`,
      });
      results = request.topicData.map((t) => t.partitionData.map((p) => invalid(p.index)));
    } else {
      // Partitions append concurrently so their fsyncs overlap (each log groups its own commits).
      results = await Promise.all(
        request.topicData.map((t) =>
          Promise.all(
            t.partitionData.map((p) =>
              producePartition(
                broker.topics,
                broker.producers.states,
                t.name,
                p.index,
                p.records,
                { apiVersion, acks },
                broker.transactions,
              ),
            ),
          ),
        ),
      );
    }
    const failures = results.flat().filter((r) => r.errorCode !== KafkaError.NONE);
    if (failures.length > 0) {
      broker.log.debug(
        { connection: connection.id, acks, errors: failures.map((f) => `${f.errorCode}: ${f.errorMessage}`) },
        'produce refused partitions',
      );
    }
    if (acks === 0) {
      if (failures.length > 0) connection.closeAfterResponse = true;
      return NO_RESPONSE;
    }
    return {
      responses: request.topicData.map((t, i) => ({
        name: t.name,
        partitionResponses: results[i].map(({ errorMessage: _, ...rest }) => rest),
      })),
      throttleTimeMs: 0,
    };
  },
});
