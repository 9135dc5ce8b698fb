import { KafkaError } from '../error-codes.ts';
import type { GroupState } from './group.ts';
import type { GroupRuntime } from './runtime.ts';

/** One group as DescribeGroups reports it. */
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: GroupState;
  protocolType: string;
  /** The chosen protocol, reported only while Stable. */
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    memberMetadata: Buffer;
    memberAssignment: Buffer;
  }[];
}

const EMPTY = Buffer.alloc(0);

/**
 * Describes groups. An unknown group is not an error in DescribeGroups v0–v5: it is reported as Dead
 * with no members. Member metadata and assignments are only shown for a Stable group, as in Kafka.
 */
export function describeGroups(rt: GroupRuntime, groupIds: readonly string[]): DescribedGroup[] {
  return groupIds.map((groupId) => {
    const group = rt.groups.get(groupId);
    if (group === undefined) {
      return {
        errorCode: KafkaError.NONE,
        groupId,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
      };
    }
    const stable = group.is('Stable');
    return {
      errorCode: KafkaError.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(group.protocolName) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  });
}

/** One entry of ListGroups. */
export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState;
}

/** Every group, or those in the given states (compared case-insensitively, as Kafka does). */
export function listGroups(rt: GroupRuntime, statesFilter: readonly string[] = []): ListedGroup[] {
  const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
  const listed: ListedGroup[] = [];
  for (const group of rt.groups.values()) {
    if (group.is('Dead')) continue;
    if (wanted.size > 0 && !wanted.has(group.state.toLowerCase())) continue;
    listed.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state });
  }
  return listed;
}
