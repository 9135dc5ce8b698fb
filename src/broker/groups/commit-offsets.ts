// OffsetCommit: checks who may commit, then writes the offsets durably before answering.

import { KafkaError } from '../error-codes.ts';
import { ClassicGroup } from './group.ts';
import type { CommittedOffset, OffsetKey } from './offset-store.ts';
import { rescheduleHeartbeat } from './rebalance.ts';
import type { GroupRuntime } from './runtime.ts';
import { validateMember } from './validate.ts';

const {
  NONE,
  COORDINATOR_NOT_AVAILABLE,
  ILLEGAL_GENERATION,
  NOT_COORDINATOR,
  OFFSET_METADATA_TOO_LARGE,
  REBALANCE_IN_PROGRESS,
  UNKNOWN_MEMBER_ID,
  UNKNOWN_TOPIC_OR_PARTITION,
} = KafkaError;

/** An OffsetCommit request, version differences resolved by the handler (absent fields hold -1/''/null). */
export interface CommitOffsetsInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2–v4 only; -1 = use the broker's retention. */
  retentionTimeMs: number;
  topics: readonly {
    name: string;
    partitions: readonly {
      partitionIndex: number;
      committedOffset: number;
      committedLeaderEpoch: number;
      /** v1 only; -1 = now. */
      commitTimestamp: number;
      committedMetadata: string | null;
    }[];
  }[];
}

/** Per-partition outcome, in request order. */
export type CommitOffsetsResult = {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}[];

/** Answers whether a partition exists; commits to other partitions get UNKNOWN_TOPIC_OR_PARTITION. */
export type PartitionExists = (topic: string, partition: number) => boolean;

/**
 * Commits offsets for a group. Members of a managed group must name their current generation; a
 * "simple" commit (generation -1, no member id) is accepted for a group without members, and creates the
 * group if needed. Resolves after the offsets are durable.
 */
export async function commitOffsets(
  rt: GroupRuntime,
  input: CommitOffsetsInput,
  partitionExists: PartitionExists = () => true,
): Promise<CommitOffsetsResult> {
  const everyPartition = (errorCode: number): CommitOffsetsResult =>
    input.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    }));

  let group = rt.groups.get(input.groupId);
  if (group === undefined) {
    if (input.generationId >= 0) return everyPartition(ILLEGAL_GENERATION);
    group = new ClassicGroup(input.groupId, rt.timers.now());
    rt.groups.set(input.groupId, group);
  }
  const rejected = validateCommit(group, input);
  if (rejected !== NONE) return everyPartition(rejected);
  if ((group.is('Stable') || group.is('PreparingRebalance')) && group.hasMember(input.memberId)) {
    rescheduleHeartbeat(rt, group, group.member(input.memberId));
  }

  const now = rt.timers.now();
  const expireTimestamp = input.retentionTimeMs === -1 ? null : now + input.retentionTimeMs;
  const writes: [OffsetKey, CommittedOffset][] = [];
  const result: CommitOffsetsResult = input.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p) => {
      let errorCode: number = NONE;
      if (!partitionExists(topic.name, p.partitionIndex)) errorCode = UNKNOWN_TOPIC_OR_PARTITION;
      // Kafka compares String.length (UTF-16 code units), which is what JavaScript's length counts too.
      else if (p.committedMetadata !== null && p.committedMetadata.length > rt.config.offsetMetadataMaxSize) {
        errorCode = OFFSET_METADATA_TOO_LARGE;
      } else {
        writes.push([
          { groupId: input.groupId, topic: topic.name, partition: p.partitionIndex },
          {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata ?? '',
            commitTimestamp: p.commitTimestamp === -1 ? now : p.commitTimestamp,
            expireTimestamp,
          },
        ]);
      }
      return { partitionIndex: p.partitionIndex, errorCode };
    }),
  }));
  if (writes.length === 0) return result;

  try {
    await rt.store.commitOffsets(writes);
  } catch (error) {
    rt.log.error({ err: error, groupId: input.groupId }, 'could not persist committed offsets');
    for (const topic of result)
      for (const p of topic.partitions) if (p.errorCode === NONE) p.errorCode = NOT_COORDINATOR;
    return result;
  }
  for (const [key, value] of writes) rt.offsets.put(key, value);
  // The expiry job may have removed an empty simple group while this write was on its way to disk.
  if (!rt.groups.has(input.groupId)) rt.groups.set(input.groupId, new ClassicGroup(input.groupId, now));
  return result;
}

/** Kafka's OffsetCommit admission rules for classic groups; NONE when the commit may proceed. */
function validateCommit(group: ClassicGroup, input: CommitOffsetsInput): number {
  if (group.is('Dead')) return COORDINATOR_NOT_AVAILABLE;
  // Generation -1 comes from admin tools and consumers that assign partitions themselves.
  if (input.generationId < 0 && group.is('Empty')) return NONE;
  if (input.generationId >= 0 || input.memberId !== '' || input.groupInstanceId !== null) {
    const invalid = validateMember(group, input.memberId, input.groupInstanceId);
    if (invalid !== NONE) return invalid;
    if (input.generationId !== group.generationId) return ILLEGAL_GENERATION;
  } else if (!group.is('Empty')) {
    // No member identity (v0): only allowed while nobody manages the group.
    return UNKNOWN_MEMBER_ID;
  }
  // The member has its new generation but not its assignment yet: it should sync first.
  if (group.is('CompletingRebalance')) return REBALANCE_IN_PROGRESS;
  return NONE;
}
