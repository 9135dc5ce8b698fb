// SyncGroup: the leader hands in the assignment of the new generation; every member (leader included)
// waits until it is stored, then gets its own share.

import { KafkaError } from '../error-codes.ts';
import { toStoredGroup } from './group-store.ts';
import { type SyncGroupResult, syncError } from './member.ts';
import {
  maybePrepareRebalanceOrCompleteJoin,
  propagateAssignment,
  removePendingSyncMember,
  rescheduleHeartbeat,
} from './rebalance.ts';
import type { GroupRuntime } from './runtime.ts';
import { validateMember } from './validate.ts';

const {
  NONE,
  COORDINATOR_NOT_AVAILABLE,
  ILLEGAL_GENERATION,
  INCONSISTENT_GROUP_PROTOCOL,
  INVALID_GROUP_ID,
  NOT_COORDINATOR,
  REBALANCE_IN_PROGRESS,
  UNKNOWN_MEMBER_ID,
} = KafkaError;

/** A SyncGroup request. */
export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5+ only; null when the version does not carry them. */
  protocolType: string | null;
  protocolName: string | null;
  /** Sent by the leader only: each member's assignment. */
  assignments: readonly { memberId: string; assignment: Buffer }[];
}

/** Handles one SyncGroup; a member of a rebalancing group waits here for the leader's assignment. */
export function syncGroup(rt: GroupRuntime, input: SyncGroupInput): Promise<SyncGroupResult> {
  return new Promise<SyncGroupResult>((respond) => {
    if (input.groupId === '') return respond(syncError(INVALID_GROUP_ID));
    const group = rt.groups.get(input.groupId);
    if (group === undefined || group.is('Empty')) return respond(syncError(UNKNOWN_MEMBER_ID));
    if (group.is('Dead')) return respond(syncError(COORDINATOR_NOT_AVAILABLE));
    const invalid = validateMember(group, input.memberId, input.groupInstanceId);
    if (invalid !== NONE) return respond(syncError(invalid));
    if (input.generationId !== group.generationId) return respond(syncError(ILLEGAL_GENERATION));
    if (
      (input.protocolType !== null && input.protocolType !== group.protocolType) ||
      (input.protocolName !== null && input.protocolName !== group.protocolName)
    ) {
      return respond(syncError(INCONSISTENT_GROUP_PROTOCOL));
    }

    const member = group.member(input.memberId);
    if (group.is('PreparingRebalance')) return respond(syncError(REBALANCE_IN_PROGRESS));
    if (group.is('Stable')) {
      removePendingSyncMember(rt, group, member.memberId);
      rescheduleHeartbeat(rt, group, member);
      return respond({
        errorCode: NONE,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: member.assignment,
      });
    }

    // CompletingRebalance: park until the leader's assignment is stored.
    member.awaitSync(respond);
    removePendingSyncMember(rt, group, member.memberId);
    if (!group.isLeader(member.memberId)) return;

    const assignment = new Map<string, Buffer>();
    for (const entry of input.assignments) assignment.set(entry.memberId, entry.assignment);
    for (const memberId of group.members.keys())
      if (!assignment.has(memberId)) assignment.set(memberId, Buffer.alloc(0));
    const generationId = group.generationId;
    rt.store.putGroup(group.groupId, toStoredGroup(group, assignment)).then(
      () => {
        // Members may have come or gone while the write was in flight: then this assignment is moot.
        if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
        for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? Buffer.alloc(0);
        propagateAssignment(rt, group, NONE);
        group.transitionTo('Stable', rt.timers.now());
        rt.log.info({ groupId: group.groupId, generation: generationId }, 'group is stable');
      },
      (error: unknown) => {
        rt.log.warn({ err: error, groupId: group.groupId }, 'could not persist the group assignment');
        if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
        propagateAssignment(rt, group, NOT_COORDINATOR, true);
        maybePrepareRebalanceOrCompleteJoin(rt, group, 'storing the assignment failed');
      },
    );
  });
}
