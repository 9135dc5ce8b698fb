import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { JoinGroupInput } from './join-group.ts';
import type { JoinGroupResult } from './member.ts';
import {
  type Harness,
  joinInput,
  openHarness,
  protocol,
  REBALANCE_MS,
  SESSION_MS,
  settled,
} from './test-support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(() => h.cleanup());

const staticJoin = (instance: string, overrides: Partial<JoinGroupInput> = {}) =>
  h.coordinator.joinGroup(joinInput({ groupInstanceId: instance, clientId: instance, ...overrides }));
const sync = (
  memberId: string,
  generationId: number,
  groupInstanceId: string,
  assignments: { memberId: string; assignment: Buffer }[] = [],
) =>
  h.coordinator.syncGroup({
    groupId: 'g',
    memberId,
    generationId,
    groupInstanceId,
    protocolType: null,
    protocolName: null,
    assignments,
  });

/** Two static members a and b, Stable at generation 1, assigned 'A' and 'B'. */
async function stableStaticGroup(
  overrides: Partial<JoinGroupInput> = {},
): Promise<{ a: JoinGroupResult; b: JoinGroupResult }> {
  const ja = staticJoin('a', overrides);
  const jb = staticJoin('b', overrides);
  h.clock.advance(0);
  const [a, b] = await Promise.all([ja, jb]);
  const leader = a.memberId === a.leader ? a : b;
  const follower = leader === a ? b : a;
  const followerSync = sync(follower.memberId, 1, follower === a ? 'a' : 'b');
  await sync(leader.memberId, 1, leader === a ? 'a' : 'b', [
    { memberId: a.memberId, assignment: Buffer.from('A') },
    { memberId: b.memberId, assignment: Buffer.from('B') },
  ]);
  await followerSync;
  return { a, b };
}

test('a static member joins without MEMBER_ID_REQUIRED and gets an id prefixed with its instance id', async () => {
  const joined = staticJoin('instance-1');
  h.clock.advance(0);
  const result = await joined;
  assert.equal(result.errorCode, 0);
  assert.match(result.memberId, /^instance-1-[0-9a-f-]{36}$/);
  assert.equal(result.members[0].groupInstanceId, 'instance-1');
});

test('a restarted static member replaces its old id without a rebalance and gets its old assignment', async () => {
  const { a, b } = await stableStaticGroup();
  const restarted = await staticJoin('b');
  assert.equal(restarted.errorCode, 0);
  assert.notEqual(restarted.memberId, b.memberId);
  assert.equal(restarted.generationId, 1, 'no new generation');
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'Stable');
  const synced = await sync(restarted.memberId, 1, 'b');
  assert.deepEqual(synced.assignment, Buffer.from('B'));
  // The old instance is fenced everywhere.
  assert.equal(
    h.coordinator.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 1, groupInstanceId: 'b' }),
    82,
  );
  assert.equal((await sync(b.memberId, 1, 'b')).errorCode, 82);
  assert.equal((await staticJoin('b', { memberId: b.memberId })).errorCode, 82);
  assert.equal(
    h.coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: 'a' }),
    0,
  );
});

test('a replaced static leader is told the previous leader id, so it does not reassign', async () => {
  const { a, b } = await stableStaticGroup();
  const leader = a.memberId === a.leader ? a : b;
  const instance = leader === a ? 'a' : 'b';
  const restarted = await staticJoin(instance);
  assert.equal(restarted.leader, leader.memberId);
  assert.deepEqual(restarted.members, []);
  const [described] = h.coordinator.describeGroups(['g']);
  assert.ok(described.members.some((m) => m.memberId === restarted.memberId));
});

test('a restarted static member rebalances the group only if the protocol choice changes', async () => {
  await stableStaticGroup({ protocols: [protocol('range'), protocol('roundrobin')] });
  // New metadata, same choice (range is still everyone's common favourite): no rebalance.
  const sameChoice = await staticJoin('b', { protocols: [protocol('range', 'v2'), protocol('roundrobin')] });
  assert.equal(sameChoice.generationId, 1);
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'Stable');
  // Dropping range leaves roundrobin as the only common protocol: the group must rebalance.
  const changed = staticJoin('b', { protocols: [protocol('roundrobin')] });
  assert.equal(await settled(changed), 'pending');
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'PreparingRebalance');
});

test('UNKNOWN_MEMBER_ID for an unregistered instance id with a member id; FENCED for a stale one', async () => {
  const { a } = await stableStaticGroup();
  assert.equal(
    h.coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: 'zzz' }),
    25,
  );
  assert.equal(
    h.coordinator.heartbeat({ groupId: 'g', memberId: 'other', generationId: 1, groupInstanceId: 'a' }),
    82,
  );
  const commit = await h.coordinator.commitOffsets({
    groupId: 'g',
    generationId: 1,
    memberId: 'other',
    groupInstanceId: 'a',
    retentionTimeMs: -1,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 1,
            committedLeaderEpoch: -1,
            commitTimestamp: -1,
            committedMetadata: null,
          },
        ],
      },
    ],
  });
  assert.equal(commit[0].partitions[0].errorCode, 82);
});

test('static members that miss a rebalance stay in the group until their session expires', async () => {
  const { a, b } = await stableStaticGroup();
  const leader = a.memberId === a.leader ? a : b;
  const follower = leader === a ? b : a;
  const rejoin = h.coordinator.joinGroup(
    joinInput({ memberId: leader.memberId, groupInstanceId: leader === a ? 'a' : 'b', clientId: 'x' }),
  );
  // Keep the leader alive (its JoinGroup is parked, so it needs no heartbeats); the follower is silent
  // but static: the rebalance timeout does not remove it, its session timeout does.
  h.clock.advance(SESSION_MS + 1);
  const result = await rejoin;
  assert.equal(result.generationId, 2);
  assert.deepEqual(
    result.members.map((m) => m.memberId),
    [leader.memberId],
    'removed by its session timeout, which ends the rebalance',
  );
  assert.ok(SESSION_MS < REBALANCE_MS);
  assert.equal(
    h.coordinator.heartbeat({
      groupId: 'g',
      memberId: follower.memberId,
      generationId: 2,
      groupInstanceId: 'b',
    }),
    25,
  );
});

test('LeaveGroup can remove a static member by instance id alone', async () => {
  const { b } = await stableStaticGroup();
  const left = h.coordinator.leaveGroup('g', [
    { memberId: '', groupInstanceId: 'b' },
    { memberId: '', groupInstanceId: 'nobody' },
  ]);
  assert.deepEqual(
    left.members.map((m) => m.errorCode),
    [0, 25],
  );
  assert.ok(!h.coordinator.describeGroups(['g'])[0].members.some((m) => m.memberId === b.memberId));
});

test('a static member replaced while the leader is computing the assignment restarts the rebalance', async () => {
  const ja = staticJoin('a');
  const jb = staticJoin('b');
  h.clock.advance(0);
  const [a, b] = await Promise.all([ja, jb]);
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'CompletingRebalance');
  const follower = a.memberId === a.leader ? b : a;
  const instance = follower === a ? 'a' : 'b';
  const parked = sync(follower.memberId, 1, instance);
  const replacement = staticJoin(instance);
  assert.equal((await parked).errorCode, 82, 'the replaced id is fenced');
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'PreparingRebalance');
  assert.equal(await settled(replacement), 'pending');
});
