// Shared steps of the broker data-path tests: requests over a real socket with eddy's own codec.

import { CREATE_TOPICS_SCHEMA, FETCH_SCHEMA, PRODUCE_SCHEMA } from '../../src/protocol/messages/index.ts';
import {
  decodeRecordBatches,
  encodeRecordBatch,
  type RecordInput,
} from '../../src/protocol/record-batch/index.ts';
import type { KafkaSocket } from '../support/kafka-socket.ts';

export interface PartitionAnswer {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export interface FetchedPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: unknown[] | null;
  preferredReadReplica: number;
  records: Buffer | null;
}

export interface FetchAnswer {
  errorCode: number;
  sessionId: number;
  responses: { topic: string; partitions: FetchedPartition[] }[];
}

/** Records with string keys/values, for short test data. */
export function records(...values: string[]): RecordInput[] {
  return values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v), timestamp: Date.now() }));
}

/** Creates a topic with CreateTopics v7 and fails the test on an error. */
export async function createTopic(
  socket: KafkaSocket,
  name: string,
  partitions = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const answer = await socket.request<{ topics: { errorCode: number; errorMessage: string | null }[] }>(
    CREATE_TOPICS_SCHEMA,
    7,
    {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor: -1,
          assignments: [],
          configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })),
        },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    },
  );
  const [topic] = answer.topics;
  if (topic.errorCode !== 0) throw new Error(`create ${name}: ${topic.errorCode} ${topic.errorMessage}`);
}

/** Produces raw record bytes to one partition; returns the partition's answer. */
export async function produceRaw(
  socket: KafkaSocket,
  topic: string,
  partition: number,
  bytes: Buffer | null,
  options: { version?: number; acks?: number } = {},
): Promise<PartitionAnswer> {
  const answer = await socket.request<{ responses: { partitionResponses: PartitionAnswer[] }[] }>(
    PRODUCE_SCHEMA,
    options.version ?? 7,
    {
      transactionalId: null,
      acks: options.acks ?? -1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: bytes }] }],
    },
  );
  return answer.responses[0].partitionResponses[0];
}

/** Produces one batch of records. */
export function produce(
  socket: KafkaSocket,
  topic: string,
  partition: number,
  input: RecordInput[],
  options: { version?: number; acks?: number; compression?: number } = {},
): Promise<PartitionAnswer> {
  return produceRaw(
    socket,
    topic,
    partition,
    encodeRecordBatch(input, { compression: options.compression ?? 0 }),
    options,
  );
}

/** Fetch request body for the given partitions and offsets. */
export function fetchBody(
  partitions: { topic: string; partition: number; offset: number; maxBytes?: number }[],
  options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; isolationLevel?: number } = {},
): unknown {
  const byTopic = new Map<string, { partition: number; fetchOffset: number; partitionMaxBytes: number }[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic) ?? [];
    list.push({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: p.maxBytes ?? 1 << 20 });
    byTopic.set(p.topic, list);
  }
  return {
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 50 << 20,
    isolationLevel: options.isolationLevel ?? 0,
    topics: [...byTopic].map(([topic, list]) => ({ topic, partitions: list })),
    forgottenTopicsData: [],
  };
}

/** Fetches and returns the whole answer. */
export function fetch(socket: KafkaSocket, body: unknown, version = 12): Promise<FetchAnswer> {
  return socket.request<FetchAnswer>(FETCH_SCHEMA, version, body);
}

/** Values of every record in a partition answer, with their offsets. */
export function fetchedValues(partition: FetchedPartition): [number, string][] {
  if (partition.records === null) return [];
  return decodeRecordBatches(partition.records).flatMap((b) =>
    b.records.map((r): [number, string] => [r.offset, r.value?.toString() ?? '<null>']),
  );
}
