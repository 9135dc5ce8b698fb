import { OFFSET_COMMIT_SCHEMA } from '../../protocol/messages/index.ts';
import { defineHandler } from './handler.ts';

interface OffsetCommitRequest {
  groupId: string;
  /** v1+; -1 (absent) in v0 and for commits outside group management. */
  generationIdOrMemberEpoch: number;
  /** v1+; '' in v0. */
  memberId: string;
  /** v7+. */
  groupInstanceId: string | null;
  /** v2–v4; -1 = broker default retention. */
  retentionTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      /** v6+. */
      committedLeaderEpoch: number;
      /** v1 only. */
      commitTimestamp: number;
      committedMetadata: string | null;
    }[];
  }[];
}

interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

/**
 * OffsetCommit v0–8. The answer leaves only after the offsets are durable (fsync in `fsync` mode).
 * Commits to topics or partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION, as in Kafka.
 */
export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  schema: OFFSET_COMMIT_SCHEMA,
  versions: { min: 0, max: 8 },
  async handle(request, { apiVersion, broker }) {
    const topics = await broker.groups.commitOffsets(
      {
        groupId: request.groupId,
        generationId: apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1,
        memberId: apiVersion >= 1 ? request.memberId : '',
        groupInstanceId: apiVersion >= 7 ? request.groupInstanceId : null,
        retentionTimeMs: apiVersion >= 2 && apiVersion <= 4 ? request.retentionTimeMs : -1,
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            ...p,
            committedLeaderEpoch: apiVersion >= 6 ? p.committedLeaderEpoch : -1,
            commitTimestamp: apiVersion === 1 ? p.commitTimestamp : -1,
          })),
        })),
      },
      (topic, partition) => {
        const info = broker.topics.get(topic);
        return info !== undefined && partition >= 0 && partition < info.partitions;
      },
    );
    return { throttleTimeMs: 0, topics };
  },
});
