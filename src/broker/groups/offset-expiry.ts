// Offset retention (KIP-211) and removal of groups with nothing left, run every
// `offsetsRetentionCheckIntervalMs` like Kafka's group metadata cleanup.

import type { ClassicGroup } from './group.ts';
import type { CommittedOffset, OffsetKey } from './offset-store.ts';
import type { GroupRuntime } from './runtime.ts';

/**
 * The moment an offset's retention starts counting, or null when it must not expire now:
 * - a group with a protocol type (consumers) keeps its offsets while it has members, except for topics
 *   no member subscribes to any more; once Empty, retention counts from when it became empty;
 * - a "simple" group (offsets only, no protocol type) counts from each commit.
 */
function retentionBase(
  group: ClassicGroup,
  topic: string,
  subscribed: Set<string> | null,
): ((o: CommittedOffset) => number) | null {
  if (group.protocolType === null) return (o) => o.commitTimestamp;
  if (group.is('Empty')) return (o) => group.stateTimestamp ?? o.commitTimestamp;
  if (group.is('Stable') && subscribed !== null && !subscribed.has(topic)) return (o) => o.commitTimestamp;
  return null;
}

/**
 * Removes expired offsets, then every Empty group left without offsets (and without an open
 * transaction). Memory changes at once; the tombstones are written in one batch.
 */
export async function expireOffsetsAndGroups(rt: GroupRuntime): Promise<void> {
  const now = rt.timers.now();
  const retention = rt.config.offsetsRetentionMs;
  const expired: OffsetKey[] = [];
  const deadGroups: string[] = [];
  for (const group of [...rt.groups.values()]) {
    const { groupId } = group;
    const subscribed = group.members.size > 0 ? group.subscribedTopics() : null;
    const groupExpired: OffsetKey[] = [];
    for (const [topic, partitions] of rt.offsets.groupOffsets(groupId)) {
      const base = retentionBase(group, topic, subscribed);
      if (base === null) continue;
      for (const [partition, offset] of partitions) {
        if (rt.offsets.hasPendingTransactional(groupId, topic, partition)) continue;
        const isExpired =
          offset.expireTimestamp !== null ? now >= offset.expireTimestamp : now - base(offset) >= retention;
        if (isExpired) groupExpired.push({ groupId, topic, partition });
      }
    }
    for (const key of groupExpired) rt.offsets.delete(key);
    expired.push(...groupExpired);
    if (
      group.is('Empty') &&
      !rt.offsets.hasOffsets(groupId) &&
      !rt.offsets.hasAnyPendingTransactional(groupId)
    ) {
      group.transitionTo('Dead', now);
      rt.groups.delete(groupId);
      deadGroups.push(groupId);
    }
  }
  if (expired.length > 0 || deadGroups.length > 0) {
    rt.log.info(
      { offsets: expired.length, groups: deadGroups },
      'expired committed offsets and empty groups',
    );
    await rt.store.remove(expired, deadGroups);
  }
}

/** Deletes the committed offsets of deleted topics (Kafka does so when partitions are deleted). */
export async function deleteOffsetsOfTopics(rt: GroupRuntime, topics: readonly string[]): Promise<void> {
  const keys = topics.flatMap((topic) => rt.offsets.keysOfTopic(topic));
  for (const key of keys) rt.offsets.delete(key);
  await rt.store.remove(keys);
}
