import { KafkaError } from '../error-codes.ts';
import type { ClassicGroup } from './group.ts';

/**
 * Kafka's member check for JoinGroup (known member), SyncGroup, Heartbeat, LeaveGroup and OffsetCommit:
 * a static instance id must be registered and mapped to this member id (else UNKNOWN_MEMBER_ID, or
 * FENCED_INSTANCE_ID when another id holds it), and the member id must be in the group. Returns NONE (0)
 * when the member is valid.
 *
 * @example
 * const error = validateMember(group, request.memberId, request.groupInstanceId);
 */
export function validateMember(
  group: ClassicGroup,
  memberId: string,
  groupInstanceId: string | null,
): number {
  if (groupInstanceId !== null) {
    const registered = group.staticMemberId(groupInstanceId);
    if (registered === undefined) return KafkaError.UNKNOWN_MEMBER_ID;
    if (registered !== memberId) return KafkaError.FENCED_INSTANCE_ID;
  }
  return group.hasMember(memberId) ? KafkaError.NONE : KafkaError.UNKNOWN_MEMBER_ID;
}
