// JoinGroup, as Kafka's classic group coordinator answers it. The answer may come much later than the
// request (when the rebalance completes), so the operation returns a promise that a parked member's
// resolver settles.

import { randomUUID } from 'node:crypto';
import { KafkaError } from '../error-codes.ts';
import { ClassicGroup } from './group.ts';
import { toStoredGroup } from './group-store.ts';
import { GroupMember, type JoinGroupResult, joinError, type MemberProtocol } from './member.ts';
import {
  expireHeartbeat,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  persistInBackground,
  prepareRebalance,
  rescheduleHeartbeat,
} from './rebalance.ts';
import { type GroupRuntime, timerKey } from './runtime.ts';
import { validateMember } from './validate.ts';

const {
  NONE,
  COORDINATOR_NOT_AVAILABLE,
  FENCED_INSTANCE_ID,
  INCONSISTENT_GROUP_PROTOCOL,
  INVALID_GROUP_ID,
  INVALID_SESSION_TIMEOUT,
  MEMBER_ID_REQUIRED,
  NOT_COORDINATOR,
  UNKNOWN_MEMBER_ID,
} = KafkaError;

/** A JoinGroup request, version differences already resolved by the handler. */
export interface JoinGroupInput {
  groupId: string;
  /** '' on a member's first join. */
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly MemberProtocol[];
  /** JoinGroup v4+ (KIP-394): a first join gets MEMBER_ID_REQUIRED and an id to join with. */
  requireKnownMemberId: boolean;
}

type Respond = (result: JoinGroupResult) => void;

/** Handles one JoinGroup; resolves when the member may proceed (or must retry). */
export function joinGroup(rt: GroupRuntime, input: JoinGroupInput): Promise<JoinGroupResult> {
  return new Promise<JoinGroupResult>((respond) => {
    if (input.groupId === '') return respond(joinError(input.memberId, INVALID_GROUP_ID));
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = rt.config;
    if (input.sessionTimeoutMs < minSessionTimeoutMs || input.sessionTimeoutMs > maxSessionTimeoutMs) {
      return respond(joinError(input.memberId, INVALID_SESSION_TIMEOUT));
    }
    const isNewMember = input.memberId === '';
    let group = rt.groups.get(input.groupId);
    const isNewGroup = group === undefined;
    if (group === undefined) {
      // Only a member without an id may create a group; an id for a group we do not know is stale.
      if (!isNewMember) return respond(joinError(input.memberId, UNKNOWN_MEMBER_ID));
      group = new ClassicGroup(input.groupId, rt.timers.now());
      rt.groups.set(input.groupId, group);
    }
    if (isNewMember) joinNewMember(rt, group, input, respond);
    else joinExistingMember(rt, group, input, respond);
    // A group created by a join that parked nobody (MEMBER_ID_REQUIRED) is still recorded, as Kafka does.
    if (isNewGroup && group.is('Empty')) persistInBackground(rt, group);
  });
}

function joinNewMember(rt: GroupRuntime, group: ClassicGroup, input: JoinGroupInput, respond: Respond) {
  if (group.is('Dead')) return respond(joinError('', COORDINATOR_NOT_AVAILABLE));
  if (!group.supportsProtocols(input.protocolType, input.protocols)) {
    return respond(joinError('', INCONSISTENT_GROUP_PROTOCOL));
  }
  const newMemberId = `${input.groupInstanceId ?? input.clientId}-${randomUUID()}`;
  if (input.groupInstanceId !== null) {
    const existing = group.staticMemberId(input.groupInstanceId);
    if (existing !== undefined) return replaceStaticMember(rt, group, input, existing, newMemberId, respond);
    return addMember(rt, group, input, newMemberId, respond);
  }
  if (input.requireKnownMemberId) {
    group.pendingJoinMembers.add(newMemberId);
    // It must come back with the id within its session timeout, or the group stops waiting for it.
    const { groupId } = group;
    rt.timers.schedule(timerKey.heartbeat(groupId, newMemberId), input.sessionTimeoutMs, () =>
      expireHeartbeat(rt, groupId, newMemberId),
    );
    return respond(joinError(newMemberId, MEMBER_ID_REQUIRED));
  }
  addMember(rt, group, input, newMemberId, respond);
}

function joinExistingMember(rt: GroupRuntime, group: ClassicGroup, input: JoinGroupInput, respond: Respond) {
  const { memberId } = input;
  if (group.is('Dead')) return respond(joinError(memberId, COORDINATOR_NOT_AVAILABLE));
  if (!group.supportsProtocols(input.protocolType, input.protocols)) {
    return respond(joinError(memberId, INCONSISTENT_GROUP_PROTOCOL));
  }
  if (group.pendingJoinMembers.has(memberId)) {
    // Ids handed out with MEMBER_ID_REQUIRED belong to dynamic members; a static id must start afresh.
    if (input.groupInstanceId !== null) return respond(joinError(memberId, UNKNOWN_MEMBER_ID));
    return addMember(rt, group, input, memberId, respond);
  }
  const invalid = validateMember(group, memberId, input.groupInstanceId);
  if (invalid !== NONE) return respond(joinError(memberId, invalid));

  const member = group.member(memberId);
  const update = () => {
    group.updateMember(member, input.protocols, input.rebalanceTimeoutMs, input.sessionTimeoutMs, respond);
    maybePrepareRebalanceOrCompleteJoin(rt, group, `member ${memberId} rejoined`);
  };
  switch (group.state) {
    case 'PreparingRebalance':
      return update();
    case 'CompletingRebalance':
      // Same metadata: it probably lost our answer. Repeat it instead of starting over.
      if (member.matches(input.protocols)) return respond(currentGeneration(group, memberId, true));
      return update();
    case 'Stable':
      // The leader rejoining forces a rebalance: that is how a consumer reacts to new topic metadata.
      if (group.isLeader(memberId) || !member.matches(input.protocols)) return update();
      return respond(currentGeneration(group, memberId, false));
    default:
      return respond(joinError(memberId, UNKNOWN_MEMBER_ID));
  }
}

function currentGeneration(
  group: ClassicGroup,
  memberId: string,
  withMembersForLeader: boolean,
): JoinGroupResult {
  return {
    errorCode: NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    memberId,
    members: withMembersForLeader && group.isLeader(memberId) ? group.currentMemberMetadata() : [],
  };
}

function addMember(
  rt: GroupRuntime,
  group: ClassicGroup,
  input: JoinGroupInput,
  memberId: string,
  respond: Respond,
) {
  const member = new GroupMember({ ...input, memberId });
  member.isNew = true;
  if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
  group.add(member, respond);
  // A new member cannot heartbeat while parked and a dropped connection goes unnoticed, so its JoinGroup
  // times out on its own (Kafka: 5 minutes); a live client simply retries.
  rescheduleHeartbeat(rt, group, member, rt.config.newMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(rt, group, `new member ${memberId} joined`);
}

/**
 * A static member came back without its member id (a restarted instance): it takes over its old
 * identity under a new id, and the old id is fenced. In a Stable group whose protocol choice does not
 * change, this needs no rebalance: the member gets its previous assignment through SyncGroup.
 */
function replaceStaticMember(
  rt: GroupRuntime,
  group: ClassicGroup,
  input: JoinGroupInput,
  oldMemberId: string,
  newMemberId: string,
  respond: Respond,
) {
  const instanceId = input.groupInstanceId!;
  const previousLeader = group.leaderId ?? '';
  rt.timers.cancel(timerKey.heartbeat(group.groupId, oldMemberId));
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId, FENCED_INSTANCE_ID);
  rescheduleHeartbeat(rt, group, member);
  const old = {
    protocols: member.protocols,
    rebalance: member.rebalanceTimeoutMs,
    session: member.sessionTimeoutMs,
  };
  group.updateMember(member, input.protocols, input.rebalanceTimeoutMs, input.sessionTimeoutMs, respond);

  if (group.is('Stable')) {
    if (group.protocolName !== group.selectProtocol()) {
      return maybePrepareRebalanceOrCompleteJoin(rt, group, `static member ${instanceId} changed protocols`);
    }
    const generationId = group.generationId;
    rt.store.putGroup(group.groupId, toStoredGroup(group)).then(
      () => {
        // Followers learn the previous leader id, so a replaced leader does not compute a new assignment
        // that a Stable group would ignore; it fetches its old one with SyncGroup.
        member.completeJoin({
          ...currentGeneration(group, newMemberId, false),
          generationId,
          leader: previousLeader,
        });
      },
      (error: unknown) => {
        rt.log.warn({ err: error, groupId: group.groupId }, 'could not persist static member replacement');
        member.completeJoin(joinError('', NOT_COORDINATOR));
        if (group.members.get(newMemberId) !== member) return;
        group.updateMember(member, old.protocols, old.rebalance, old.session, null);
        const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId, FENCED_INSTANCE_ID);
        rt.timers.cancel(timerKey.heartbeat(group.groupId, newMemberId));
        rescheduleHeartbeat(rt, group, restored);
      },
    );
    return;
  }
  // After the leader got the member list, the old id may already be in its assignment: start over.
  if (group.is('CompletingRebalance'))
    return prepareRebalance(rt, group, `static member ${instanceId} rejoined`);
  maybeCompleteJoinPhase(rt, group);
}
