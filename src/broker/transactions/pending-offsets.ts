// Offsets committed inside open transactions, as the group coordinator must see them: partitions with a
// pending transactional commit answer UNSTABLE_OFFSET_COMMIT to OffsetFetch(requireStable). Several
// transactions may hold the same group partition, so marks are counted.

import type { GroupCoordinator } from '../groups/coordinator.ts';
import type { CommittedOffset, OffsetKey } from '../groups/offset-store.ts';
import type { PendingTxnOffset } from '../producers/transactional-ids.ts';

/** The `(group, topic, partition)` key of a pending offset. */
function keyOf(o: OffsetKey): string {
  return JSON.stringify([o.groupId, o.topic, o.partition]);
}

/**
 * Counts the transactions holding each group partition and keeps the group coordinator's pending marks
 * in step.
 *
 * @example
 * const marks = new PendingOffsetMarks(groups);
 * marks.add(entry.pendingOffsets);   // OffsetFetch(requireStable) now answers 88 for them
 * marks.remove(entry.pendingOffsets);
 */
export class PendingOffsetMarks {
  private readonly groups: GroupCoordinator;
  private readonly counts = new Map<string, number>();

  constructor(groups: GroupCoordinator) {
    this.groups = groups;
  }

  /** One transaction now holds each of `offsets` (each key once per transaction). */
  add(offsets: readonly OffsetKey[]): void {
    for (const o of offsets) {
      const key = keyOf(o);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.groups.offsets.markPendingTransactional(o);
    }
  }

  /** One transaction no longer holds each of `offsets`. */
  remove(offsets: readonly OffsetKey[]): void {
    for (const o of offsets) {
      const key = keyOf(o);
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) {
        this.counts.set(key, left);
        continue;
      }
      this.counts.delete(key);
      this.groups.offsets.clearPendingTransactional(o);
    }
  }
}

/**
 * Merges new pending offsets into a transaction's list: a later commit of the same group partition in
 * the same transaction replaces the earlier one. Returns the merged list and the keys that are new.
 */
export function mergePending(
  current: readonly PendingTxnOffset[],
  added: readonly PendingTxnOffset[],
): { merged: PendingTxnOffset[]; fresh: PendingTxnOffset[] } {
  const byKey = new Map(current.map((o) => [keyOf(o), o]));
  const fresh: PendingTxnOffset[] = [];
  for (const o of added) {
    const key = keyOf(o);
    if (!byKey.has(key)) fresh.push(o);
    byKey.set(key, o);
  }
  return { merged: [...byKey.values()], fresh };
}

/** A committed transaction's offsets as the group store writes them. */
export function toCommitted(offsets: readonly PendingTxnOffset[]): [OffsetKey, CommittedOffset][] {
  return offsets.map((o) => [
    { groupId: o.groupId, topic: o.topic, partition: o.partition },
    {
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      commitTimestamp: o.commitTimestamp,
      expireTimestamp: null,
    },
  ]);
}
