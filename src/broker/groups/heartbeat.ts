import { KafkaError } from '../error-codes.ts';
import { rescheduleHeartbeat } from './rebalance.ts';
import type { GroupRuntime } from './runtime.ts';
import { validateMember } from './validate.ts';

const {
  NONE,
  COORDINATOR_NOT_AVAILABLE,
  ILLEGAL_GENERATION,
  INVALID_GROUP_ID,
  REBALANCE_IN_PROGRESS,
  UNKNOWN_MEMBER_ID,
} = KafkaError;

/** A Heartbeat request. */
export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/**
 * Keeps a member's session alive and tells it whether to rejoin: REBALANCE_IN_PROGRESS while the group
 * prepares a rebalance, ILLEGAL_GENERATION for an old generation, UNKNOWN_MEMBER_ID once removed.
 * Returns the error code.
 */
export function heartbeat(rt: GroupRuntime, input: HeartbeatInput): number {
  if (input.groupId === '') return INVALID_GROUP_ID;
  const group = rt.groups.get(input.groupId);
  if (group === undefined) return UNKNOWN_MEMBER_ID;
  if (group.is('Dead')) return COORDINATOR_NOT_AVAILABLE;
  const invalid = validateMember(group, input.memberId, input.groupInstanceId);
  if (invalid !== NONE) return invalid;
  if (input.generationId !== group.generationId) return ILLEGAL_GENERATION;
  if (group.is('Empty')) return UNKNOWN_MEMBER_ID;
  rescheduleHeartbeat(rt, group, group.member(input.memberId));
  return group.is('PreparingRebalance') ? REBALANCE_IN_PROGRESS : NONE;
}
