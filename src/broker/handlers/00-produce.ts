import { PRODUCE_SCHEMA } from '../../protocol/index.ts';
import type { BrokerState } from '../broker-state.ts';
import { KafkaError } from '../error-codes.ts';
import { type PartitionProduceResult, producePartition } from '../produce/produce-partition.ts';
import { deferred, defineHandler, NO_RESPONSE } from './handler.ts';

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
 *
 * Pipelined: the handler returns once every partition's batch is written (in request order, under each
 * partition's append lock), and in `fsync` mode answers later with deferred(), so the connection appends
 * its next request while this one waits for its fdatasync and one group commit covers both.
 */
export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  schema: PRODUCE_SCHEMA,
  versions: { min: 0, max: 7 },
  pipelined: true,
  // The records are written to the log (or refused) before handle() settles; nothing keeps them.
  releasesRequest: true,
  async handle(request, { apiVersion, broker, connection }) {
    const { acks } = request;
    // Only the names outlive handle(): the records are views into a frame reused once it returns.
    const names = request.topicData.map((t) => t.name);
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      const invalid = (index: number): PartitionProduceResult => ({
        index,
        errorCode: KafkaError.INVALID_REQUIRED_ACKS,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        errorMessage: `acks must be -1, 0 or 1, not ${acks}`,
      });
      const results = request.topicData.map((t) => t.partitionData.map((p) => invalid(p.index)));
      reportFailures(results, broker, connection.id, acks);
      return response(names, results);
    }
    // Partitions append concurrently, so their fsyncs overlap (each log groups its own commits).
    const staged = await Promise.all(
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
    const written = staged.map((t) => t.map((s) => s.written));
    if (acks === 0) {
      // No answer, so nothing to wait for: the log's own group commit still moves the high watermark.
      for (const s of staged.flat()) {
        s.durable?.catch((error: unknown) => broker.log.error({ err: error }, 'acks=0 produce flush failed'));
      }
      if (reportFailures(written, broker, connection.id, acks)) connection.closeAfterResponse = true;
      return NO_RESPONSE;
    }
    if (staged.every((t) => t.every((s) => s.durable === null))) {
      reportFailures(written, broker, connection.id, acks);
      return response(names, written);
    }
    const durable = Promise.all(staged.map((t) => Promise.all(t.map((s) => s.durable ?? s.written))));
    return deferred(
      durable.then((results) => {
        reportFailures(results, broker, connection.id, acks);
        return response(names, results);
      }),
    );
  },
});

/** Logs refused partitions at debug level; true when there were any. */
function reportFailures(
  results: PartitionProduceResult[][],
  broker: BrokerState,
  connection: number,
  acks: number,
): boolean {
  const failures = results.flat().filter((r) => r.errorCode !== KafkaError.NONE);
  if (failures.length === 0) return false;
  broker.log.debug(
    { connection, acks, errors: failures.map((f) => `${f.errorCode}: ${f.errorMessage}`) },
    'produce refused partitions',
  );
  return true;
}

function response(names: string[], results: PartitionProduceResult[][]): ProduceResponse {
  return {
    responses: names.map((name, i) => ({
      name,
      partitionResponses: results[i].map(({ errorMessage: _, ...rest }) => rest),
    })),
    throttleTimeMs: 0,
  };
}
