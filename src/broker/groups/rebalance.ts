// The rebalance machinery of a classic group, following Kafka's coordinator: starting a rebalance,
// completing the join phase (new generation, leader, protocol), the sync deadline, session expiry and
// member removal. Operation files (join, sync, heartbeat, leave) call into these.

import { KafkaError } from '../error-codes.ts';
import type { ClassicGroup } from './group.ts';
import { toStoredGroup } from './group-store.ts';
import { type GroupMember, joinError, syncError } from './member.ts';
import { type GroupRuntime, timerKey } from './runtime.ts';

const { NONE, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS } = KafkaError;

/** Pushes a member's session deadline out (a heartbeat, or a join/sync that proves it is alive). */
export function rescheduleHeartbeat(
  rt: GroupRuntime,
  group: ClassicGroup,
  member: GroupMember,
  timeoutMs = member.sessionTimeoutMs,
): void {
  const { groupId } = group;
  const { memberId } = member;
  rt.timers.schedule(timerKey.heartbeat(groupId, memberId), timeoutMs, () =>
    expireHeartbeat(rt, groupId, memberId),
  );
}

/** A member's (or pending member's) deadline passed without a heartbeat. */
export function expireHeartbeat(rt: GroupRuntime, groupId: string, memberId: string): void {
  const group = rt.groups.get(groupId);
  if (group === undefined || group.is('Dead')) return;
  if (group.pendingJoinMembers.has(memberId)) {
    rt.log.info({ groupId, memberId }, 'pending member did not rejoin within its session timeout');
    group.remove(memberId);
    if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) completeJoin(rt, group);
    return;
  }
  const member = group.members.get(memberId);
  if (member === undefined) return;
  // A member parked in JoinGroup or SyncGroup cannot heartbeat; it counts as alive, unless it is new to
  // the group (it may have given up and reconnected under another id).
  const satisfied = !member.isNew && (member.isAwaitingJoin || member.isAwaitingSync);
  if (satisfied) return;
  rt.log.info({ groupId, memberId }, 'member session expired, removing it from the group');
  removeMemberAndUpdateGroup(rt, group, member);
}

/** Removes a member that failed or left, then rebalances or finishes a rebalance waiting for it. */
export function removeMemberAndUpdateGroup(rt: GroupRuntime, group: ClassicGroup, member: GroupMember): void {
  // A new member can time out while its JoinGroup is parked: answer it so the client retries.
  member.completeJoin(joinError('', UNKNOWN_MEMBER_ID));
  member.completeSync(syncError(UNKNOWN_MEMBER_ID));
  rt.timers.cancel(timerKey.heartbeat(group.groupId, member.memberId));
  group.remove(member.memberId);
  if (group.is('Stable') || group.is('CompletingRebalance')) {
    maybePrepareRebalanceOrCompleteJoin(rt, group, `member ${member.memberId} removed`);
  } else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) {
    completeJoin(rt, group);
  }
}

/** Starts a rebalance if the state allows one, else tries to finish the one under way. */
export function maybePrepareRebalanceOrCompleteJoin(
  rt: GroupRuntime,
  group: ClassicGroup,
  reason: string,
): void {
  if (group.canRebalance()) prepareRebalance(rt, group, reason);
  else maybeCompleteJoinPhase(rt, group);
}

/** Finishes the join phase now if every member rejoined, except during the (timed) initial rebalance. */
export function maybeCompleteJoinPhase(rt: GroupRuntime, group: ClassicGroup): void {
  if (!group.is('PreparingRebalance')) return;
  if (group.previousState === 'Empty') return;
  if (!group.hasAllMembersJoined()) return;
  completeJoin(rt, group);
}

/**
 * Moves the group to PreparingRebalance. Members parked in SyncGroup are told REBALANCE_IN_PROGRESS.
 * The first rebalance of an empty group waits `initialRebalanceDelayMs` (extended while members keep
 * arriving, up to the rebalance timeout); later ones finish as soon as all members rejoined, or when the
 * rebalance timeout expires.
 */
export function prepareRebalance(rt: GroupRuntime, group: ClassicGroup, reason: string): void {
  if (group.is('CompletingRebalance')) propagateAssignment(rt, group, REBALANCE_IN_PROGRESS, true);
  clearSyncDeadline(rt, group);
  const initial = group.is('Empty');
  const now = rt.timers.now();
  group.transitionTo('PreparingRebalance', now);
  rt.log.info(
    { groupId: group.groupId, generation: group.generationId, reason },
    'preparing to rebalance group',
  );
  if (initial) {
    const delay = rt.config.initialRebalanceDelayMs;
    const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
    scheduleInitialJoin(rt, group.groupId, delay, remaining);
  } else if (group.hasAllMembersJoined()) {
    completeJoin(rt, group);
  } else {
    scheduleJoinDeadline(rt, group);
  }
}

function scheduleJoinDeadline(rt: GroupRuntime, group: ClassicGroup): void {
  const { groupId } = group;
  rt.timers.schedule(timerKey.join(groupId), group.rebalanceTimeoutMs(), () => {
    const current = rt.groups.get(groupId);
    if (current !== undefined) completeJoin(rt, current);
  });
}

function scheduleInitialJoin(rt: GroupRuntime, groupId: string, delayMs: number, remainingMs: number): void {
  rt.timers.schedule(timerKey.join(groupId), delayMs, () => {
    const group = rt.groups.get(groupId);
    if (group === undefined) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const nextDelay = Math.min(rt.config.initialRebalanceDelayMs, remainingMs);
      scheduleInitialJoin(rt, groupId, nextDelay, Math.max(remainingMs - delayMs, 0));
    } else {
      completeJoin(rt, group);
    }
  });
}

/**
 * Ends the join phase: dynamic members that did not rejoin are dropped, the leader is confirmed or
 * replaced, and the next generation starts. Every rejoined member gets its JoinGroup answer (the leader
 * with all members' metadata) and must send SyncGroup within the rebalance timeout.
 */
export function completeJoin(rt: GroupRuntime, group: ClassicGroup): void {
  const { groupId } = group;
  rt.timers.cancel(timerKey.join(groupId));
  for (const member of [...group.members.values()]) {
    if (member.isAwaitingJoin || member.isStatic) continue;
    rt.timers.cancel(timerKey.heartbeat(groupId, member.memberId));
    group.remove(member.memberId);
    rt.log.info({ groupId, memberId: member.memberId }, 'member did not rejoin in time, removed');
  }
  if (group.is('Dead')) return;
  if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
    // Only static members that have not rejoined are left: wait for them (or their session expiry).
    rt.log.warn({ groupId }, 'no member rejoined; waiting another rebalance timeout');
    scheduleJoinDeadline(rt, group);
    return;
  }
  group.initNextGeneration(rt.timers.now());
  if (group.is('Empty')) {
    rt.log.info({ groupId, generation: group.generationId }, 'group is now empty');
    persistInBackground(rt, group);
    return;
  }
  rt.log.info(
    { groupId, generation: group.generationId, members: group.members.size, protocol: group.protocolName },
    'group completed the join phase',
  );
  const everyone = group.currentMemberMetadata();
  for (const member of group.members.values()) {
    member.completeJoin({
      errorCode: NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: group.isLeader(member.memberId) ? everyone : [],
    });
    rescheduleHeartbeat(rt, group, member);
    member.isNew = false;
    group.pendingSyncMembers.add(member.memberId);
  }
  scheduleSyncDeadline(rt, group);
}

/** Members of a new generation that never send SyncGroup are removed after the rebalance timeout. */
function scheduleSyncDeadline(rt: GroupRuntime, group: ClassicGroup): void {
  const { groupId, generationId } = group;
  rt.timers.schedule(timerKey.sync(groupId), group.rebalanceTimeoutMs(), () => {
    const current = rt.groups.get(groupId);
    if (current === undefined || current.generationId !== generationId) return;
    if (!(current.is('CompletingRebalance') || current.is('Stable')) || current.pendingSyncMembers.size === 0)
      return;
    const missing = [...current.pendingSyncMembers];
    for (const memberId of missing) {
      rt.timers.cancel(timerKey.heartbeat(groupId, memberId));
      current.remove(memberId);
    }
    rt.log.info({ groupId, members: missing }, 'members did not sync in time, removed');
    prepareRebalance(rt, current, 'members did not send SyncGroup in time');
  });
}

/** A member has sent SyncGroup for this generation. */
export function removePendingSyncMember(rt: GroupRuntime, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId);
  if (group.pendingSyncMembers.size === 0) rt.timers.cancel(timerKey.sync(group.groupId));
}

function clearSyncDeadline(rt: GroupRuntime, group: ClassicGroup): void {
  group.pendingSyncMembers.clear();
  rt.timers.cancel(timerKey.sync(group.groupId));
}

/**
 * Answers every parked SyncGroup: with each member's assignment, or (when `reset`) with an empty
 * assignment and the error. Each answered member's session restarts, since it could not heartbeat
 * while parked.
 */
export function propagateAssignment(
  rt: GroupRuntime,
  group: ClassicGroup,
  errorCode: number,
  reset = false,
): void {
  for (const member of group.members.values()) {
    if (reset) member.assignment = Buffer.alloc(0);
    const answered = member.completeSync({
      errorCode,
      protocolType: errorCode === NONE ? group.protocolType : null,
      protocolName: errorCode === NONE ? group.protocolName : null,
      assignment: member.assignment,
    });
    if (answered) rescheduleHeartbeat(rt, group, member);
  }
}

/** Writes the group record without making anyone wait for it (Kafka only logs such failures too). */
export function persistInBackground(rt: GroupRuntime, group: ClassicGroup): void {
  rt.store.putGroup(group.groupId, toStoredGroup(group)).catch((error: unknown) => {
    rt.log.warn({ err: error, groupId: group.groupId }, 'could not persist group metadata');
  });
}
