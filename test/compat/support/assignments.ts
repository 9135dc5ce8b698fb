// What the broker told consumer-group members they own: SyncGroup answers recorded per generation, and
// the broker's view of the current generation. The assignment bytes are decoded here (the consumer
// protocol's ConsumerProtocolAssignment) so that no client library is trusted to do it.
import assert from 'node:assert/strict';
import type { TestBroker } from '../../support/broker.ts';

/**
 * Topic → sorted partitions from ConsumerProtocolAssignment bytes (every version starts int16 version,
 * then an int32-counted array of {int16-length topic, int32-counted int32 partitions}). Empty bytes, as
 * a member with nothing assigned may get, decode to an empty map.
 */
export function decodeAssignment(bytes: Buffer): Map<string, number[]> {
  const owned = new Map<string, number[]>();
  if (bytes.length === 0) return owned;
  let at = 2;
  const count = bytes.readInt32BE(at);
  at += 4;
  for (let i = 0; i < count; i++) {
    const length = bytes.readInt16BE(at);
    at += 2;
    const topic = bytes.toString('utf8', at, at + length);
    at += length;
    const partitions: number[] = [];
    const n = bytes.readInt32BE(at);
    at += 4;
    for (let j = 0; j < n; j++, at += 4) partitions.push(bytes.readInt32BE(at));
    owned.set(
      topic,
      partitions.sort((a, b) => a - b),
    );
  }
  return owned;
}

/** One SyncGroup answer: the partitions of the watched topic a member was given in a generation. */
export interface DeliveredAssignment {
  groupId: string;
  generationId: number;
  memberId: string;
  partitions: number[];
}

/**
 * Wraps the broker's SyncGroup so that every successful answer for `topic` is recorded; returns the
 * (growing) list.
 */
export function recordAssignments(broker: TestBroker, topic: string): DeliveredAssignment[] {
  const delivered: DeliveredAssignment[] = [];
  const groups = broker.state.groups;
  const syncGroup = groups.syncGroup.bind(groups);
  groups.syncGroup = async (input) => {
    const result = await syncGroup(input);
    if (result.errorCode === 0) {
      delivered.push({
        groupId: input.groupId,
        generationId: input.generationId,
        memberId: input.memberId,
        partitions: decodeAssignment(result.assignment).get(topic) ?? [],
      });
    }
    return result;
  };
  return delivered;
}

/**
 * Fails if, in any generation of a group, a partition was handed to two members; returns how many
 * generations delivered assignments.
 */
export function assertOneOwnerPerGeneration(delivered: readonly DeliveredAssignment[]): number {
  const generations = new Map<string, Map<number, string>>();
  for (const { groupId, generationId, memberId, partitions } of delivered) {
    const key = `${groupId}/${generationId}`;
    const owners = generations.get(key) ?? new Map<number, string>();
    generations.set(key, owners);
    for (const partition of partitions) {
      const owner = owners.get(partition);
      assert.ok(
        owner === undefined || owner === memberId,
        `generation ${key}: partition ${partition} given to ${owner} and ${memberId}`,
      );
      owners.set(partition, memberId);
    }
  }
  return generations.size;
}

/**
 * The broker's view of the group's current generation (DescribeGroups while Stable): member id →
 * partitions of `topic`. Null while the group is not Stable.
 */
export function stableAssignment(
  broker: TestBroker,
  groupId: string,
  topic: string,
): Map<string, number[]> | null {
  const [group] = broker.state.groups.describeGroups([groupId]);
  if (group.groupState !== 'Stable') return null;
  const owners = new Map<string, number[]>();
  for (const m of group.members)
    owners.set(m.memberId, decodeAssignment(m.memberAssignment).get(topic) ?? []);
  return owners;
}
