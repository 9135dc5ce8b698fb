import { Admin, Consumer, IS_CONTROL } from '@platformatic/kafka';
import { baseClientOptions, type KafkaClientOptions } from './client-options.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface FetchedRecord {
  readonly offset: bigint;
  /** Milliseconds since the epoch; NaN when the record has none. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly [Buffer | null, Buffer | null][];
}

export interface FetchedPartition extends TopicPartition {
  readonly records: FetchedRecord[];
  /** The offset to fetch next (past control records and aborted data too). */
  readonly nextOffset: bigint;
}

/** Where to start reading a partition: a list-offsets spec. */
export type OffsetSpec = 'earliest' | 'latest' | { readonly timestamp: number };

const LOG_APPEND_TIME = 0x08;
/** Record batch attribute: written inside a transaction. */
const TRANSACTIONAL = 0x10;
const PARTITION_MAX_BYTES = 1024 * 1024;

export const partitionKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/**
 * Reads partitions it is told to read, at offsets it is told, without joining a consumer group (the
 * caller assigns partitions). Group offsets are read and written as a "simple consumer" does
 * (generation -1), which Kafka allows for groups that have no active members.
 *
 * @example
 * const consumer = new PartitionConsumer({ bootstrap, clientId: 'eddy-source' });
 * const counts = await consumer.partitionCounts(['clicks']);
 * const start = await consumer.listOffsets([{ topic: 'clicks', partition: 0 }], 'earliest');
 */
export class PartitionConsumer {
  private readonly consumer: Consumer;
  private readonly admin: Admin;

  constructor(options: KafkaClientOptions) {
    const base = baseClientOptions(options, 'source');
    // The group id is required by the client but unused: this consumer never joins a group.
    this.consumer = new Consumer({ ...base, groupId: `${base.clientId}-fetch`, autocommit: false });
    this.admin = new Admin(base);
  }

  /**
   * Partition count of each topic; rejects with an "Unknown topic <name>." error for a missing one.
   * `fresh` asks the cluster even when the client's cached metadata is recent (to see added partitions).
   */
  async partitionCounts(topics: readonly string[], fresh = false): Promise<Map<string, number>> {
    const metadata = await this.consumer.metadata({ topics: [...topics], forceUpdate: fresh });
    return new Map(topics.map((topic) => [topic, metadata.topics.get(topic)?.partitionsCount ?? 0]));
  }

  /** Offsets for `spec`; a timestamp later than every record gives the end offset. */
  async listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<Map<string, bigint>> {
    const timestamp =
      spec === 'earliest' ? -2n : spec === 'latest' ? -1n : BigInt(Math.trunc(spec.timestamp));
    const result = new Map<string, bigint>();
    const byTopic = groupByTopic(partitions);
    for (const [topic, indexes] of byTopic) {
      const listed = await this.consumer.listOffsets({
        topics: [topic],
        partitions: { [topic]: indexes },
        timestamp,
      });
      for (const partition of indexes)
        result.set(partitionKey({ topic, partition }), listed.get(topic)?.[partition] ?? -1n);
    }
    if (typeof spec === 'object') {
      const missing = partitions.filter((tp) => (result.get(partitionKey(tp)) ?? -1n) < 0n);
      if (missing.length > 0)
        for (const [key, offset] of await this.listOffsets(missing, 'latest')) result.set(key, offset);
    }
    return result;
  }

  /** The group's committed offsets; partitions without one are absent. */
  async committedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, bigint>> {
    const topics = [...groupByTopic(partitions)].map(([name, partitionIndexes]) => ({
      name,
      partitionIndexes,
    }));
    const [group] = await this.admin.listConsumerGroupOffsets({ groups: [{ groupId, topics }] });
    const result = new Map<string, bigint>();
    for (const topic of group?.topics ?? []) {
      for (const p of topic.partitions) {
        if (p.committedOffset >= 0n)
          result.set(partitionKey({ topic: topic.name, partition: p.partitionIndex }), p.committedOffset);
      }
    }
    return result;
  }

  async commit(groupId: string, offsets: readonly (TopicPartition & { offset: bigint })[]): Promise<void> {
    if (offsets.length === 0) return;
    const topics = [...groupByTopic(offsets)].map(([name]) => ({
      name,
      partitionOffsets: offsets
        .filter((o) => o.topic === name)
        .map((o) => ({ partition: o.partition, offset: o.offset })),
    }));
    await this.admin.alterConsumerGroupOffsets({ groupId, topics });
  }

  /**
   * One fetch of every given partition from its position, waiting up to `maxWaitMs` for data. Only
   * partitions with records or with a moved position are returned.
   */
  async fetch(
    positions: readonly (TopicPartition & { offset: bigint })[],
    maxWaitMs: number,
  ): Promise<FetchedPartition[]> {
    const topics = [...new Set(positions.map((p) => p.topic))];
    this.consumer.topics.trackAll(...topics.filter((t) => !this.consumer.topics.has(t)));
    const metadata = await this.consumer.metadata({ topics });
    const byNode = new Map<number, { topicId: string; partitions: FetchPartitionRequest[] }[]>();
    const names = new Map<string, string>();
    for (const position of positions) {
      const topic = metadata.topics.get(position.topic);
      if (topic === undefined) continue;
      names.set(topic.id, position.topic);
      const node = topic.partitions[position.partition]?.leader ?? -1;
      const requests = byNode.get(node) ?? [];
      byNode.set(node, requests);
      requests.push({ topicId: topic.id, partitions: [fetchRequest(position)] });
    }
    const wanted = new Map(positions.map((p) => [partitionKey(p), p.offset]));
    const responses = await Promise.all(
      [...byNode].map(([node, requests]) =>
        this.consumer.fetch({
          node,
          topics: requests,
          maxWaitTime: Math.max(0, Math.round(maxWaitMs)),
          minBytes: 1,
        }),
      ),
    );
    const result: FetchedPartition[] = [];
    for (const response of responses) {
      for (const topicResponse of response.responses) {
        const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId;
        for (const p of topicResponse.partitions) {
          const from = wanted.get(partitionKey({ topic, partition: p.partitionIndex }));
          if (from === undefined) continue;
          const fetched = decode(topic, p.partitionIndex, from, p.records ?? [], p.abortedTransactions ?? []);
          if (fetched.records.length > 0 || fetched.nextOffset !== from) result.push(fetched);
        }
      }
    }
    return result;
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.consumer.close(true), this.admin.close()]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

interface FetchPartitionRequest {
  partition: number;
  fetchOffset: bigint;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  partitionMaxBytes: number;
}

function fetchRequest(position: TopicPartition & { offset: bigint }): FetchPartitionRequest {
  return {
    partition: position.partition,
    fetchOffset: position.offset,
    currentLeaderEpoch: -1,
    lastFetchedEpoch: -1,
    partitionMaxBytes: PARTITION_MAX_BYTES,
  };
}

type Batches = NonNullable<
  Awaited<ReturnType<Consumer['fetch']>>['responses'][number]['partitions'][number]['records']
>;

/** What a read_committed Fetch answer lists as aborted: a producer's transaction from `firstOffset` on. */
interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/**
 * The records of one partition's answer, without those of aborted transactions (as Kafka's Java
 * consumer decides: a producer listed as aborted from firstOffset on stays aborted until its abort
 * marker). The client filters only transactions whose marker is in the same answer; one cut off by
 * the answer's size limit would otherwise hand out aborted records.
 */
function decode(
  topic: string,
  partition: number,
  from: bigint,
  batches: Batches,
  abortedTransactions: readonly AbortedTransaction[],
): FetchedPartition {
  const records: FetchedRecord[] = [];
  let nextOffset = from;
  const aborted = [...abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  let nextAborted = 0;
  const abortedProducers = new Set<bigint>();
  for (const batch of batches) {
    const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (end > nextOffset) nextOffset = end;
    while (nextAborted < aborted.length && aborted[nextAborted].firstOffset < end)
      abortedProducers.add(BigInt(aborted[nextAborted++].producerId));
    if (batch.attributes & IS_CONTROL) {
      // An abort marker (control type 0) ends that producer's aborted transaction.
      if (batch.records[0]?.key?.readInt16BE(2) === 0) abortedProducers.delete(BigInt(batch.producerId));
      continue; // transaction markers hold no data
    }
    if (batch.attributes & TRANSACTIONAL && abortedProducers.has(BigInt(batch.producerId))) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      // A batch may start before the requested offset (the broker returns whole batches).
      if (offset < from) continue;
      const ts =
        batch.attributes & LOG_APPEND_TIME
          ? batch.maxTimestamp
          : batch.firstTimestamp + record.timestampDelta;
      records.push({
        offset,
        timestamp: ts < 0n ? Number.NaN : Number(ts),
        key: record.key,
        value: record.value,
        headers: record.headers,
      });
    }
  }
  return { topic, partition, records, nextOffset };
}

function groupByTopic(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    byTopic.set(topic, list);
    if (!list.includes(partition)) list.push(partition);
  }
  return byTopic;
}
