import { KafkaError } from '../error-codes.ts';
import type { CommittedOffset } from './offset-store.ts';
import type { GroupRuntime } from './runtime.ts';

const { NONE, UNSTABLE_OFFSET_COMMIT } = KafkaError;

/** One group's part of an OffsetFetch request; `topics` null means every committed offset of the group. */
export interface FetchOffsetsInput {
  groupId: string;
  topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null;
  /** OffsetFetch v7+: hold back offsets of transactions still open (UNSTABLE_OFFSET_COMMIT). */
  requireStable: boolean;
}

/** A fetched position: offset -1 and metadata '' when nothing is committed. */
export interface FetchedOffset {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

/** One group's answer: a group-level error and the offsets by topic. */
export interface FetchOffsetsResult {
  groupId: string;
  errorCode: number;
  topics: { name: string; partitions: FetchedOffset[] }[];
}

/**
 * Reads a group's committed offsets. Unknown groups, topics and partitions are not errors: they read as
 * offset -1 (no position; the consumer applies auto.offset.reset).
 */
export function fetchOffsets(rt: GroupRuntime, input: FetchOffsetsInput): FetchOffsetsResult {
  const { groupId } = input;
  const group = rt.groups.get(groupId);
  const known = group !== undefined && !group.is('Dead');
  const read = (topic: string, partition: number, committed: CommittedOffset | undefined): FetchedOffset => {
    if (input.requireStable && rt.offsets.hasPendingTransactional(groupId, topic, partition)) {
      return {
        partitionIndex: partition,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: UNSTABLE_OFFSET_COMMIT,
      };
    }
    if (committed === undefined) {
      return {
        partitionIndex: partition,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: NONE,
      };
    }
    return {
      partitionIndex: partition,
      committedOffset: committed.offset,
      committedLeaderEpoch: committed.leaderEpoch,
      metadata: committed.metadata,
      errorCode: NONE,
    };
  };

  if (input.topics === null) {
    if (!known) return { groupId, errorCode: NONE, topics: [] };
    const topics = [...rt.offsets.groupOffsets(groupId)].map(([name, partitions]) => ({
      name,
      partitions: [...partitions].map(([partition, committed]) => read(name, partition, committed)),
    }));
    return { groupId, errorCode: NONE, topics };
  }
  const topics = input.topics.map(({ name, partitionIndexes }) => ({
    name,
    partitions: partitionIndexes.map((partition) =>
      read(name, partition, known ? rt.offsets.get(groupId, name, partition) : undefined),
    ),
  }));
  return { groupId, errorCode: NONE, topics };
}
