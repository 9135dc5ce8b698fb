// Persistence of group metadata and committed offsets in a MetaStore (a durable journal), with records
// shaped like Kafka's GroupMetadataValue and OffsetCommitValue in __consumer_offsets.

import { join } from 'node:path';
import type { Durability } from '../storage/log-config.ts';
import { type MetaOp, MetaStore } from '../storage/meta-store.ts';
import { ClassicGroup } from './group.ts';
import { GroupMember } from './member.ts';
import type { CommittedOffset, OffsetKey } from './offset-store.ts';

/** A group as persisted (Kafka's GroupMetadataValue); bytes are base64. */
export interface StoredGroup {
  readonly protocolType: string | null;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  readonly currentStateTimestamp: number | null;
  readonly members: readonly StoredMember[];
}

/** A member as persisted (Kafka's GroupMetadataValue.MemberMetadata). */
export interface StoredMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  /** The member's metadata for the group's protocol only, as Kafka keeps it. */
  readonly subscription: string;
  readonly assignment: string;
}

type StoredValue = StoredGroup | CommittedOffset;

const GROUP_PREFIX = 'group:';
const OFFSET_PREFIX = 'offset:';

function groupKey(groupId: string): string {
  return GROUP_PREFIX + groupId;
}

function offsetKey({ groupId, topic, partition }: OffsetKey): string {
  return OFFSET_PREFIX + JSON.stringify([groupId, topic, partition]);
}

/**
 * The group coordinator's durable state. Every write resolves once durable under the broker's
 * durability mode; a write is one journal line, so a multi-partition commit is all-or-nothing.
 *
 * @example
 * const store = await GroupStore.open('/data', 'fsync');
 * await store.commitOffsets([[{ groupId: 'g', topic: 't', partition: 0 }, committed]]);
 */
export class GroupStore {
  private readonly meta: MetaStore<StoredValue>;

  private constructor(meta: MetaStore<StoredValue>) {
    this.meta = meta;
  }

  /** Opens `<dataDir>/meta/groups.*`, recovering it after an unclean stop. */
  static async open(dataDir: string, durability: Durability): Promise<GroupStore> {
    return new GroupStore(await MetaStore.open<StoredValue>(join(dataDir, 'meta'), 'groups', { durability }));
  }

  /** Everything stored, for the coordinator to rebuild its state at startup. */
  load(): { groups: Map<string, StoredGroup>; offsets: [OffsetKey, CommittedOffset][] } {
    const groups = new Map<string, StoredGroup>();
    const offsets: [OffsetKey, CommittedOffset][] = [];
    for (const [key, value] of this.meta.entries()) {
      if (key.startsWith(GROUP_PREFIX)) {
        groups.set(key.slice(GROUP_PREFIX.length), value as StoredGroup);
      } else if (key.startsWith(OFFSET_PREFIX)) {
        const [groupId, topic, partition] = JSON.parse(key.slice(OFFSET_PREFIX.length)) as [
          string,
          string,
          number,
        ];
        offsets.push([{ groupId, topic, partition }, value as CommittedOffset]);
      }
    }
    return { groups, offsets };
  }

  putGroup(groupId: string, group: StoredGroup): Promise<void> {
    return this.meta.put(groupKey(groupId), group);
  }

  commitOffsets(entries: readonly [OffsetKey, CommittedOffset][]): Promise<void> {
    return this.meta.update(entries.map(([key, value]) => ({ key: offsetKey(key), value })));
  }

  /** Removes offsets and, if given, whole groups, in one atomic write (Kafka's tombstones). */
  remove(offsets: readonly OffsetKey[], groupIds: readonly string[] = []): Promise<void> {
    const ops: MetaOp<StoredValue>[] = [
      ...offsets.map((key) => ({ key: offsetKey(key), delete: true as const })),
      ...groupIds.map((groupId) => ({ key: groupKey(groupId), delete: true as const })),
    ];
    return ops.length === 0 ? Promise.resolve() : this.meta.update(ops);
  }

  close(): Promise<void> {
    return this.meta.close();
  }
}

/** The record Kafka writes for a group, with `assignment` (by member id) for each member's assignment. */
export function toStoredGroup(group: ClassicGroup, assignment?: ReadonlyMap<string, Buffer>): StoredGroup {
  return {
    protocolType: group.protocolType,
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: group.stateTimestamp,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadata(group.protocolName).toString('base64'),
      assignment: (assignment?.get(m.memberId) ?? m.assignment).toString('base64'),
    })),
  };
}

/**
 * Rebuilds a group from its record, as Kafka does when a coordinator loads its partition: Stable with
 * its members if it had any (they keep their generation and assignment and must heartbeat within their
 * session timeout or be removed), Empty otherwise.
 */
export function restoreGroup(groupId: string, stored: StoredGroup): ClassicGroup {
  const hasMembers = stored.members.length > 0 && stored.protocol !== null;
  const group = new ClassicGroup(groupId, stored.currentStateTimestamp, hasMembers ? 'Stable' : 'Empty');
  group.generationId = stored.generation;
  group.protocolType = stored.protocolType;
  group.protocolName = hasMembers ? stored.protocol : null;
  if (!hasMembers) return group;
  for (const m of stored.members) {
    const member = new GroupMember({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeout,
      sessionTimeoutMs: m.sessionTimeout,
      protocolType: stored.protocolType ?? '',
      protocols: [{ name: stored.protocol!, metadata: Buffer.from(m.subscription, 'base64') }],
    });
    member.assignment = Buffer.from(m.assignment, 'base64');
    group.add(member);
  }
  if (stored.leader !== null && group.hasMember(stored.leader)) group.leaderId = stored.leader;
  return group;
}
