import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  formGroup,
  type Harness,
  joinInput,
  openHarness,
  protocol,
  settled,
  startJoin,
} from './test-support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(() => h.cleanup());

test('a first v4+ join gets MEMBER_ID_REQUIRED with a client-id-prefixed id, then joins with it', async () => {
  const first = await h.coordinator.joinGroup(joinInput({ clientId: 'app' }));
  assert.equal(first.errorCode, 79);
  assert.match(first.memberId, /^app-[0-9a-f-]{36}$/);
  const joined = h.coordinator.joinGroup(joinInput({ clientId: 'app', memberId: first.memberId }));
  assert.equal(await settled(joined), 'pending', 'the initial rebalance waits for its (zero) delay timer');
  h.clock.advance(0);
  const result = await joined;
  assert.equal(result.errorCode, 0);
  assert.equal(result.generationId, 1);
  assert.equal(result.leader, first.memberId);
  assert.equal(result.protocolName, 'range');
  assert.deepEqual(result.members, [
    { memberId: first.memberId, groupInstanceId: null, metadata: Buffer.from('range-meta') },
  ]);
});

test('before v4 a first join is admitted directly', async () => {
  const joined = h.coordinator.joinGroup(joinInput({ requireKnownMemberId: false }));
  h.clock.advance(0);
  const result = await joined;
  assert.equal(result.errorCode, 0);
  assert.match(result.memberId, /^client-/);
});

test('one member: the leader syncs its own assignment and the group becomes Stable', async () => {
  const [member] = await formGroup(h, 1);
  assert.deepEqual(member.assignment, Buffer.from('assigned-0'));
  const [described] = h.coordinator.describeGroups(['g']);
  assert.equal(described.groupState, 'Stable');
  assert.equal(described.protocolType, 'consumer');
  assert.equal(described.protocolData, 'range');
  assert.deepEqual(described.members[0].memberAssignment, Buffer.from('assigned-0'));
  assert.deepEqual(described.members[0].memberMetadata, Buffer.from('range-meta'));
});

test('three members joining together share one generation; only the leader gets the member list', async () => {
  const members = await formGroup(h, 3);
  const generations = new Set(members.map((m) => m.join.generationId));
  assert.deepEqual([...generations], [1]);
  const leader = members[0].join.leader;
  assert.ok(members.some((m) => m.memberId === leader));
  for (const m of members) {
    assert.equal(m.join.leader, leader);
    assert.equal(m.join.members.length, m.memberId === leader ? 3 : 0);
  }
  assert.deepEqual(
    members.map((m) => m.assignment.toString()),
    ['assigned-0', 'assigned-1', 'assigned-2'],
  );
});

test('followers wait in SyncGroup until the leader sends the assignment', async () => {
  const a = await startJoin(h.coordinator, { clientId: 'a' });
  const b = await startJoin(h.coordinator, { clientId: 'b' });
  h.clock.advance(0);
  const [ja, jb] = await Promise.all([a.joined, b.joined]);
  const follower = ja.memberId === ja.leader ? jb : ja;
  const leader = ja.memberId === ja.leader ? ja : jb;
  const sync = (memberId: string, assignments: { memberId: string; assignment: Buffer }[]) =>
    h.coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments,
    });
  const followerSync = sync(follower.memberId, []);
  assert.equal(await settled(followerSync), 'pending');
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'CompletingRebalance');
  // The leader leaves out nobody on purpose; a member it forgets gets an empty assignment.
  const leaderSync = await sync(leader.memberId, [
    { memberId: leader.memberId, assignment: Buffer.from('L') },
  ]);
  assert.deepEqual(leaderSync.assignment, Buffer.from('L'));
  const followerResult = await followerSync;
  assert.equal(followerResult.errorCode, 0);
  assert.deepEqual(followerResult.assignment, Buffer.alloc(0));
  assert.equal(followerResult.protocolName, 'range');
});

test('protocol selection: only protocols all members support, then the most preferred by votes', async () => {
  const members = await formGroup(h, 3, {});
  assert.equal(members[0].join.protocolName, 'range');
  await h.cleanup();

  h = await openHarness();
  // The leader (first to join) prefers roundrobin, but the other two outvote it.
  const prefs = [
    [protocol('roundrobin'), protocol('range')],
    [protocol('range'), protocol('roundrobin')],
    [protocol('range'), protocol('roundrobin')],
  ];
  const started = [];
  for (const protocols of prefs) started.push(await startJoin(h.coordinator, { protocols }));
  h.clock.advance(0);
  for (const joined of await Promise.all(started.map((s) => s.joined)))
    assert.equal(joined.protocolName, 'range');
  await h.cleanup();

  h = await openHarness();
  const narrowed = [
    [protocol('range'), protocol('roundrobin')],
    [protocol('roundrobin'), protocol('sticky')],
  ];
  const more = [];
  for (const protocols of narrowed) more.push(await startJoin(h.coordinator, { protocols }));
  h.clock.advance(0);
  const results = await Promise.all(more.map((s) => s.joined));
  assert.deepEqual(
    results.map((r) => r.protocolName),
    ['roundrobin', 'roundrobin'],
  );
  const leader = results.find((r) => r.memberId === r.leader)!;
  assert.deepEqual(
    leader.members.map((m) => m.metadata.toString()).sort(),
    ['roundrobin-meta', 'roundrobin-meta'],
    'the leader sees each member metadata for the chosen protocol',
  );
});

test('INCONSISTENT_GROUP_PROTOCOL for another protocol type, no common protocol, or an empty declaration', async () => {
  await formGroup(h, 1);
  const otherType = await h.coordinator.joinGroup(joinInput({ protocolType: 'connect' }));
  assert.equal(otherType.errorCode, 23);
  const noCommon = await h.coordinator.joinGroup(joinInput({ protocols: [protocol('sticky')] }));
  assert.equal(noCommon.errorCode, 23);
  const emptyType = await h.coordinator.joinGroup(joinInput({ groupId: 'fresh', protocolType: '' }));
  assert.equal(emptyType.errorCode, 23);
  const noProtocols = await h.coordinator.joinGroup(joinInput({ groupId: 'fresh2', protocols: [] }));
  assert.equal(noProtocols.errorCode, 23);
});

test('INVALID_SESSION_TIMEOUT outside the configured bounds, INVALID_GROUP_ID for an empty id', async () => {
  await h.cleanup();
  h = await openHarness({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 1_800_000 });
  assert.equal((await h.coordinator.joinGroup(joinInput({ sessionTimeoutMs: 5999 }))).errorCode, 26);
  assert.equal((await h.coordinator.joinGroup(joinInput({ sessionTimeoutMs: 1_800_001 }))).errorCode, 26);
  assert.equal((await h.coordinator.joinGroup(joinInput({ sessionTimeoutMs: 6000 }))).errorCode, 79);
  assert.equal((await h.coordinator.joinGroup(joinInput({ groupId: '' }))).errorCode, 24);
});

test('UNKNOWN_MEMBER_ID for a member id the group does not know', async () => {
  assert.equal(
    (await h.coordinator.joinGroup(joinInput({ groupId: 'nobody', memberId: 'ghost' }))).errorCode,
    25,
  );
  await formGroup(h, 1);
  assert.equal((await h.coordinator.joinGroup(joinInput({ memberId: 'ghost' }))).errorCode, 25);
});

test('a follower rejoining a Stable group with unchanged metadata gets the current generation back', async () => {
  const members = await formGroup(h, 2);
  const follower = members.find((m) => m.memberId !== m.join.leader)!;
  const again = await h.coordinator.joinGroup(joinInput({ memberId: follower.memberId }));
  assert.equal(again.errorCode, 0);
  assert.equal(again.generationId, 1);
  assert.deepEqual(again.members, []);
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'Stable');
});

test('a member rejoining during CompletingRebalance with the same metadata gets the same answer again', async () => {
  const a = await startJoin(h.coordinator, { clientId: 'a' });
  h.clock.advance(0);
  const first = await a.joined;
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'CompletingRebalance');
  const again = await h.coordinator.joinGroup(joinInput({ memberId: a.memberId }));
  assert.deepEqual(again, first, 'it lost the first answer; the generation does not move');
  // New metadata starts a rebalance, which this lone member completes at once.
  const changed = await h.coordinator.joinGroup(
    joinInput({ memberId: a.memberId, protocols: [protocol('range', 'v2')] }),
  );
  assert.equal(changed.generationId, 2);
  assert.deepEqual(changed.members[0].metadata, Buffer.from('v2'));
});
