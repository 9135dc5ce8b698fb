// A transactional producer driven by hand over a real socket, with eddy's own codec: every request of a
// Kafka transaction, one call each, so tests can put them in any order and see each answer.

import {
  ADD_OFFSETS_TO_TXN_SCHEMA,
  ADD_PARTITIONS_TO_TXN_SCHEMA,
  END_TXN_SCHEMA,
  INIT_PRODUCER_ID_SCHEMA,
  LIST_OFFSETS_SCHEMA,
  OFFSET_FETCH_SCHEMA,
  TXN_OFFSET_COMMIT_SCHEMA,
} from '../../src/protocol/messages/index.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch/index.ts';
import type { KafkaSocket } from '../support/kafka-socket.ts';
import {
  type FetchedPartition,
  fetch,
  fetchBody,
  type PartitionAnswer,
  produceRaw,
} from './data-path-helpers.ts';

export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

/** One transactional id's producer: id, epoch and next sequence per partition. */
export class TxnProducer {
  readonly socket: KafkaSocket;
  readonly transactionalId: string;
  producerId = -1;
  producerEpoch = -1;
  private readonly sequences = new Map<string, number>();

  constructor(socket: KafkaSocket, transactionalId: string) {
    this.socket = socket;
    this.transactionalId = transactionalId;
  }

  /** The same producer (id, epoch, sequences) on another socket, e.g. after a broker restart. */
  static continuing(socket: KafkaSocket, previous: TxnProducer): TxnProducer {
    const next = new TxnProducer(socket, previous.transactionalId);
    next.producerId = previous.producerId;
    next.producerEpoch = previous.producerEpoch;
    for (const [k, v] of previous.sequences) next.sequences.set(k, v);
    return next;
  }

  /** InitProducerId; on success adopts the id and epoch (sequences restart). Returns the error code. */
  async init(timeoutMs = 60_000, version = 4): Promise<number> {
    const answer = await this.socket.request<{
      errorCode: number;
      producerId: number;
      producerEpoch: number;
    }>(INIT_PRODUCER_ID_SCHEMA, version, {
      transactionalId: this.transactionalId,
      transactionTimeoutMs: timeoutMs,
      producerId: -1,
      producerEpoch: -1,
    });
    if (answer.errorCode === 0) {
      this.producerId = answer.producerId;
      this.producerEpoch = answer.producerEpoch;
      this.sequences.clear();
    }
    return answer.errorCode;
  }

  /** AddPartitionsToTxn; returns `topic/partition → error code`. */
  async addPartitions(partitions: [string, number][], version = 3): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>();
    for (const [t, p] of partitions) byTopic.set(t, [...(byTopic.get(t) ?? []), p]);
    const answer = await this.socket.request<{
      resultsByTopicV3AndBelow: {
        name: string;
        resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
      }[];
    }>(ADD_PARTITIONS_TO_TXN_SCHEMA, version, {
      v3AndBelowTransactionalId: this.transactionalId,
      v3AndBelowProducerId: this.producerId,
      v3AndBelowProducerEpoch: this.producerEpoch,
      v3AndBelowTopics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })),
    });
    return new Map(
      answer.resultsByTopicV3AndBelow.flatMap((t) =>
        t.resultsByPartition.map((r): [string, number] => [
          `${t.name}/${r.partitionIndex}`,
          r.partitionErrorCode,
        ]),
      ),
    );
  }

  /** Produces transactional records (the next sequence of this partition) and returns the answer. */
  async produce(
    topic: string,
    partition: number,
    values: string[],
    options: { epoch?: number } = {},
  ): Promise<PartitionAnswer> {
    const key = `${topic}/${partition}`;
    const seq = this.sequences.get(key) ?? 0;
    const batch = encodeRecordBatch(
      values.map((v) => ({ value: Buffer.from(v), timestamp: Date.now() })),
      {
        producerId: this.producerId,
        producerEpoch: options.epoch ?? this.producerEpoch,
        baseSequence: seq,
        transactional: true,
      },
    );
    const answer = await produceRaw(this.socket, topic, partition, batch);
    if (answer.errorCode === 0) this.sequences.set(key, seq + values.length);
    return answer;
  }

  /** AddOffsetsToTxn; returns the error code. */
  async addOffsets(groupId: string, version = 1): Promise<number> {
    const answer = await this.socket.request<{ errorCode: number }>(ADD_OFFSETS_TO_TXN_SCHEMA, version, {
      transactionalId: this.transactionalId,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      groupId,
    });
    return answer.errorCode;
  }

  /** TxnOffsetCommit of one partition's offset; returns its error code. */
  async commitOffset(
    groupId: string,
    topic: string,
    partition: number,
    offset: number,
    member: { generationId?: number; memberId?: string; groupInstanceId?: string | null } = {},
    version = 3,
  ): Promise<number> {
    const answer = await this.socket.request<{ topics: { partitions: { errorCode: number }[] }[] }>(
      TXN_OFFSET_COMMIT_SCHEMA,
      version,
      {
        transactionalId: this.transactionalId,
        groupId,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        generationId: member.generationId ?? -1,
        memberId: member.memberId ?? '',
        groupInstanceId: member.groupInstanceId ?? null,
        topics: [
          {
            name: topic,
            partitions: [
              {
                partitionIndex: partition,
                committedOffset: offset,
                committedLeaderEpoch: -1,
                committedMetadata: 'txn',
              },
            ],
          },
        ],
      },
    );
    return answer.topics[0].partitions[0].errorCode;
  }

  /** EndTxn; returns the error code. */
  async end(commit: boolean, version = 3): Promise<number> {
    const answer = await this.socket.request<{ errorCode: number }>(END_TXN_SCHEMA, version, {
      transactionalId: this.transactionalId,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      committed: commit,
    });
    return answer.errorCode;
  }
}

/** A fetch of one partition from `offset` at an isolation level. */
export async function fetchPartition(
  socket: KafkaSocket,
  topic: string,
  partition: number,
  offset: number,
  isolationLevel: number,
): Promise<FetchedPartition> {
  const answer = await fetch(socket, fetchBody([{ topic, partition, offset }], { isolationLevel }));
  return answer.responses[0].partitions[0];
}

/**
 * What a read_committed client makes of a fetch answer (the client-side rule of KIP-98): data batches of
 * a producer listed in `abortedTransactions` are skipped from its first offset up to its ABORT marker;
 * control batches are never shown. With read_uncommitted, every data record.
 */
export function visibleValues(partition: FetchedPartition): string[] {
  if (partition.records === null) return [];
  const aborted = [...(partition.abortedTransactions ?? [])] as { producerId: number; firstOffset: number }[];
  const skipping = new Set<number>();
  const out: string[] = [];
  for (const batch of decodeRecordBatches(partition.records)) {
    for (const a of aborted.filter((t) => t.firstOffset <= batch.baseOffset)) {
      skipping.add(a.producerId);
      aborted.splice(aborted.indexOf(a), 1);
    }
    if (batch.control) {
      skipping.delete(batch.producerId);
      continue;
    }
    if (batch.transactional && skipping.has(batch.producerId)) continue;
    out.push(...batch.records.map((r) => r.value?.toString() ?? '<null>'));
  }
  return out;
}

/** ListOffsets latest (-1) at an isolation level. */
export async function latestOffset(
  socket: KafkaSocket,
  topic: string,
  partition: number,
  isolationLevel: number,
): Promise<number> {
  const answer = await socket.request<{ topics: { partitions: { errorCode: number; offset: number }[] }[] }>(
    LIST_OFFSETS_SCHEMA,
    5,
    {
      replicaId: -1,
      isolationLevel,
      topics: [
        { name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1 }] },
      ],
    },
  );
  return answer.topics[0].partitions[0].offset;
}

/** OffsetFetch v7 of one partition: [error code, committed offset]. */
export async function fetchCommitted(
  socket: KafkaSocket,
  groupId: string,
  topic: string,
  partition: number,
  requireStable: boolean,
): Promise<[number, number]> {
  const answer = await socket.request<{
    topics: { partitions: { errorCode: number; committedOffset: number }[] }[];
  }>(OFFSET_FETCH_SCHEMA, 7, {
    groupId,
    topics: [{ name: topic, partitionIndexes: [partition] }],
    requireStable,
  });
  const p = answer.topics[0].partitions[0];
  return [p.errorCode, p.committedOffset];
}
