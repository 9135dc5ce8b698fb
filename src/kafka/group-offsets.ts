import type { Admin } from '@platformatic/kafka';
import type { TopicPartition } from './partition-consumer.ts';

/** A committed group offset with the metadata string stored beside it (null when there is none). */
export interface CommittedOffset extends TopicPartition {
  readonly offset: bigint;
  readonly metadata: string | null;
}

/**
 * The group's committed offsets for every partition of `topics` that has one, with their metadata.
 *
 * @example
 * const offsets = await withAdmin({ bootstrap }, (admin) => committedOffsets(admin, 'eddy-job-1', ['clicks']));
 */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<CommittedOffset[]> {
  const metadata = await admin.metadata({ topics: [...topics] });
  const wanted = topics.map((name) => ({
    name,
    partitionIndexes: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, i) => i),
  }));
  const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: wanted }] });
  const result: CommittedOffset[] = [];
  for (const topic of group?.topics ?? []) {
    for (const p of topic.partitions) {
      if (p.committedOffset < 0n) continue;
      result.push({
        topic: topic.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        metadata: p.metadata ?? null,
      });
    }
  }
  return result;
}
