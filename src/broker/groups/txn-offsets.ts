// Offsets committed inside transactions (TxnOffsetCommit), from the group's side: who may commit (Kafka's
// GroupCoordinator.doTxnCommitOffsets checks, which are laxer than OffsetCommit's) and how a committed
// transaction's offsets become visible. The pending offsets themselves are kept by the transaction
// coordinator with its transaction state; the group only marks partitions pending (requireStable).

import { KafkaError } from '../error-codes.ts';
import { ClassicGroup } from './group.ts';
import type { CommittedOffset, OffsetKey } from './offset-store.ts';
import type { GroupRuntime } from './runtime.ts';

/** The membership fields of a TxnOffsetCommit (v3+; before v3 they read as '', null, -1). */
export interface TxnCommitMember {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
}

/**
 * Kafka's checks for a transactional commit: a dead group is COORDINATOR_NOT_AVAILABLE; a static
 * instance held by another member id is FENCED_INSTANCE_ID; a member id, when set, must be in the group
 * (UNKNOWN_MEMBER_ID); a generation, when set, must be the group's (ILLEGAL_GENERATION). A group that
 * does not exist yet counts as an empty one at generation 0. Returns NONE when the commit may go on.
 */
export function validateTxnOffsetCommit(rt: GroupRuntime, groupId: string, member: TxnCommitMember): number {
  const group = rt.groups.get(groupId);
  if (group?.is('Dead')) return KafkaError.COORDINATOR_NOT_AVAILABLE;
  if (group !== undefined && member.groupInstanceId !== null) {
    const registered = group.staticMemberId(member.groupInstanceId);
    if (registered !== undefined && registered !== member.memberId) return KafkaError.FENCED_INSTANCE_ID;
  }
  if (member.memberId !== '' && !(group?.hasMember(member.memberId) ?? false))
    return KafkaError.UNKNOWN_MEMBER_ID;
  if (member.generationId >= 0 && member.generationId !== (group?.generationId ?? 0))
    return KafkaError.ILLEGAL_GENERATION;
  return KafkaError.NONE;
}

/**
 * Makes a committed transaction's offsets durable and visible (Kafka: the COMMIT marker in the offsets
 * partition), creating a simple group for a group id that has none yet. Idempotent, so a coordinator
 * that completes a commit again after a crash writes the same values again.
 */
export async function applyTxnOffsets(
  rt: GroupRuntime,
  writes: readonly [OffsetKey, CommittedOffset][],
): Promise<void> {
  if (writes.length === 0) return;
  await rt.store.commitOffsets(writes);
  const now = rt.timers.now();
  for (const [key, value] of writes) {
    rt.offsets.put(key, value);
    if (!rt.groups.has(key.groupId)) rt.groups.set(key.groupId, new ClassicGroup(key.groupId, now));
  }
}
