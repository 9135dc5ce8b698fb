import { LIST_OFFSETS_SCHEMA } from '../../protocol/index.ts';
import { KafkaError } from '../error-codes.ts';
import { type ListedOffset, listOffset } from '../fetch/list-offset.ts';
import { LEADER_EPOCH } from '../produce/produce-partition.ts';
import { defineHandler } from './handler.ts';

interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; currentLeaderEpoch: number; timestamp: number }[];
  }[];
}

interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: (ListedOffset & { partitionIndex: number })[] }[];
}

const READ_COMMITTED = 1;

function failed(partitionIndex: number, errorCode: number): ListedOffset & { partitionIndex: number } {
  return { partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 };
}

/**
 * ListOffsets v1–5: earliest (-2), latest (-1; the last stable offset under read_committed, v2+) or by
 * timestamp through the time index (under read_committed only offsets below the last stable offset). A partition named
 * twice in one request gets INVALID_REQUEST, as in Kafka.
 */
export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  schema: LIST_OFFSETS_SCHEMA,
  versions: { min: 1, max: 5 },
  async handle(request, { broker }) {
    const counts = new Map<string, number>();
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const key = `${t.name}\u0000${p.partitionIndex}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const topics = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            if ((counts.get(`${t.name}\u0000${p.partitionIndex}`) ?? 0) > 1) {
              return failed(p.partitionIndex, KafkaError.INVALID_REQUEST);
            }
            const log = broker.topics.partition(t.name, p.partitionIndex);
            if (log === undefined) return failed(p.partitionIndex, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
            if (p.currentLeaderEpoch > LEADER_EPOCH)
              return failed(p.partitionIndex, KafkaError.UNKNOWN_LEADER_EPOCH);
            if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < LEADER_EPOCH) {
              return failed(p.partitionIndex, KafkaError.FENCED_LEADER_EPOCH);
            }
            const lastStable =
              request.isolationLevel === READ_COMMITTED
                ? broker.producers.states.lastStableOffset(t.name, p.partitionIndex, log)
                : undefined;
            return { partitionIndex: p.partitionIndex, ...(await listOffset(log, p.timestamp, lastStable)) };
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
