import { KafkaError } from '../error-codes.ts';
import { joinError } from './member.ts';
import { maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin } from './rebalance.ts';
import { type GroupRuntime, timerKey } from './runtime.ts';
import { validateMember } from './validate.ts';

const { NONE, COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID, UNKNOWN_MEMBER_ID } = KafkaError;

/** One member named in a LeaveGroup request. */
export interface LeavingMember {
  /** '' when an admin removes a static member by its instance id alone. */
  memberId: string;
  groupInstanceId: string | null;
}

/** The LeaveGroup outcome: a group-level error and one result per named member. */
export interface LeaveGroupResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

/**
 * Removes members that leave on purpose (a consumer closing), then starts a rebalance for the others,
 * or finishes the one under way if it was only waiting for them.
 */
export function leaveGroup(
  rt: GroupRuntime,
  groupId: string,
  leaving: readonly LeavingMember[],
): LeaveGroupResult {
  if (groupId === '') return { errorCode: INVALID_GROUP_ID, members: [] };
  const group = rt.groups.get(groupId);
  if (group === undefined) return { errorCode: UNKNOWN_MEMBER_ID, members: [] };
  if (group.is('Dead')) return { errorCode: COORDINATOR_NOT_AVAILABLE, members: [] };

  const results: LeaveGroupResult['members'] = [];
  const remove = (memberId: string) => {
    rt.timers.cancel(timerKey.heartbeat(groupId, memberId));
    group.members.get(memberId)?.completeJoin(joinError('', UNKNOWN_MEMBER_ID));
    group.remove(memberId);
  };
  for (const { memberId, groupInstanceId } of leaving) {
    let errorCode: number = NONE;
    if (memberId === '') {
      const registered = group.staticMemberId(groupInstanceId);
      if (registered === undefined) errorCode = UNKNOWN_MEMBER_ID;
      else remove(registered);
    } else if (group.pendingJoinMembers.has(memberId)) {
      rt.timers.cancel(timerKey.heartbeat(groupId, memberId));
      group.remove(memberId);
    } else {
      errorCode = validateMember(group, memberId, groupInstanceId);
      if (errorCode === NONE) remove(memberId);
    }
    results.push({ memberId, groupInstanceId, errorCode });
  }

  if (results.some((r) => r.errorCode === NONE)) {
    rt.log.info(
      { groupId, members: results.filter((r) => r.errorCode === NONE).map((r) => r.memberId) },
      'members left',
    );
    if (group.is('Stable') || group.is('CompletingRebalance')) {
      maybePrepareRebalanceOrCompleteJoin(rt, group, 'members left the group');
    } else if (group.is('PreparingRebalance')) {
      maybeCompleteJoinPhase(rt, group);
    }
  }
  return { errorCode: NONE, members: results };
}
