// TxnOffsetCommit's request shapes and its per-partition checks (pure): which offsets of a request may
// join the transaction's pending offsets, and the answer for each partition.

import { KafkaError } from '../error-codes.ts';
import type { TxnCommitMember } from '../groups/txn-offsets.ts';
import type { PendingTxnOffset } from '../producers/transactional-ids.ts';

/** A TxnOffsetCommit request, version differences resolved by the handler. */
export interface TxnOffsetCommitInput {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  member: TxnCommitMember;
  topics: readonly {
    name: string;
    partitions: readonly {
      partitionIndex: number;
      committedOffset: number;
      /** v2+; -1 before. */
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[];
  }[];
}

/** Per-partition answers, in request order. */
export type TxnOffsetCommitResult = {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}[];

/** The same error for every partition of the request. */
export function everyPartition(input: TxnOffsetCommitInput, errorCode: number): TxnOffsetCommitResult {
  return input.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));
}

/**
 * Checks each partition (UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE as OffsetCommit does) and
 * returns the answers plus the offsets that pass, to be stored as pending.
 */
export function pendingOffsetsOf(
  input: TxnOffsetCommitInput,
  partitionExists: (topic: string, partition: number) => boolean,
  maxMetadataSize: number,
  nowMs: number,
): { result: TxnOffsetCommitResult; pending: PendingTxnOffset[] } {
  const pending: PendingTxnOffset[] = [];
  const result = input.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      let errorCode: number = KafkaError.NONE;
      if (!partitionExists(t.name, p.partitionIndex)) errorCode = KafkaError.UNKNOWN_TOPIC_OR_PARTITION;
      // Kafka compares String.length (UTF-16 code units), which is what JavaScript's length counts too.
      else if (p.committedMetadata !== null && p.committedMetadata.length > maxMetadataSize)
        errorCode = KafkaError.OFFSET_METADATA_TOO_LARGE;
      else {
        pending.push({
          groupId: input.groupId,
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: nowMs,
        });
      }
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  return { result, pending };
}
