import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { GroupCoordinator } from './coordinator.ts';
import {
  formGroup,
  type Harness,
  joinInput,
  openHarness,
  REBALANCE_MS,
  SESSION_MS,
  settled,
  startJoin,
} from './test-support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(() => h.cleanup());

const beat = (
  c: GroupCoordinator,
  memberId: string,
  generationId: number,
  groupInstanceId: string | null = null,
) => c.heartbeat({ groupId: 'g', memberId, generationId, groupInstanceId });
const sync = (
  c: GroupCoordinator,
  memberId: string,
  generationId: number,
  assignments: { memberId: string; assignment: Buffer }[] = [],
) =>
  c.syncGroup({
    groupId: 'g',
    memberId,
    generationId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments,
  });
const state = () => h.coordinator.describeGroups(['g'])[0].groupState;

test('a new member triggers a rebalance; heartbeats say REBALANCE_IN_PROGRESS until everyone rejoined', async () => {
  const [a] = await formGroup(h, 1);
  assert.equal(beat(h.coordinator, a.memberId, 1), 0);
  const b = await startJoin(h.coordinator, { clientId: 'b' });
  assert.equal(state(), 'PreparingRebalance');
  assert.equal(beat(h.coordinator, a.memberId, 1), 27);
  assert.equal(await settled(b.joined), 'pending', 'the rebalance waits for the known member');
  const aJoin = await h.coordinator.joinGroup(joinInput({ memberId: a.memberId }));
  const bJoin = await b.joined;
  assert.equal(aJoin.generationId, 2);
  assert.equal(bJoin.generationId, 2);
  assert.equal(aJoin.leader, a.memberId, 'the leader keeps its role when it rejoins');
  assert.equal(aJoin.members.length, 2);
  assert.equal(state(), 'CompletingRebalance');
  assert.equal(beat(h.coordinator, a.memberId, 1), 22, 'the old generation is now illegal');
  assert.equal(beat(h.coordinator, a.memberId, 2), 0);
});

test('a member leaving starts a rebalance; the others form the next generation', async () => {
  const [a, b, c] = await formGroup(h, 3);
  const leaderId = a.join.leader;
  const leaving = [a, b, c].find((m) => m.memberId !== leaderId)!;
  const staying = [a, b, c].filter((m) => m !== leaving);
  const left = h.coordinator.leaveGroup('g', [{ memberId: leaving.memberId, groupInstanceId: null }]);
  assert.deepEqual(left, {
    errorCode: 0,
    members: [{ memberId: leaving.memberId, groupInstanceId: null, errorCode: 0 }],
  });
  assert.equal(state(), 'PreparingRebalance');
  const rejoined = await Promise.all(
    staying.map((m) => h.coordinator.joinGroup(joinInput({ memberId: m.memberId }))),
  );
  assert.deepEqual(
    rejoined.map((r) => r.generationId),
    [2, 2],
  );
  const leader = rejoined.find((r) => r.memberId === r.leader)!;
  assert.deepEqual(leader.members.map((m) => m.memberId).sort(), staying.map((m) => m.memberId).sort());
  assert.equal(beat(h.coordinator, leaving.memberId, 2), 25);
});

test('a member that stops heartbeating is removed after its session timeout and the group rebalances', async () => {
  const [a, b] = await formGroup(h, 2);
  const seen: number[] = [];
  for (let t = 0; t < SESSION_MS * 2; t += SESSION_MS / 4) {
    h.clock.advance(SESSION_MS / 4);
    seen.push(beat(h.coordinator, a.memberId, 1));
  }
  assert.deepEqual(seen.slice(0, 3), [0, 0, 0], 'fine while within the session timeout');
  assert.equal(seen.at(-1), 27, 'then the live member is asked to rejoin');
  assert.equal(state(), 'PreparingRebalance');
  assert.equal(beat(h.coordinator, b.memberId, 1), 25, 'the silent member is gone');
  assert.equal(beat(h.coordinator, a.memberId, 1), 27);
  const again = await h.coordinator.joinGroup(joinInput({ memberId: a.memberId }));
  assert.equal(again.generationId, 2);
  assert.deepEqual(
    again.members.map((m) => m.memberId),
    [a.memberId],
  );
});

test('members that do not rejoin within the rebalance timeout are dropped; a new leader is elected', async () => {
  const members = await formGroup(h, 3);
  const leaderId = members[0].join.leader;
  const followers = members.filter((m) => m.memberId !== leaderId);
  // A follower with new metadata forces a rebalance. The leader keeps heartbeating but never rejoins
  // (a consumer stuck in processing); the other follower rejoins.
  const changed = [{ name: 'range', metadata: Buffer.from('new') }];
  const first = h.coordinator.joinGroup(joinInput({ memberId: followers[0].memberId, protocols: changed }));
  assert.equal(state(), 'PreparingRebalance');
  const second = h.coordinator.joinGroup(joinInput({ memberId: followers[1].memberId }));
  for (let t = 0; t < REBALANCE_MS - SESSION_MS / 2; t += SESSION_MS / 2) {
    h.clock.advance(SESSION_MS / 2);
    assert.equal(beat(h.coordinator, leaderId, 1), 27);
  }
  assert.equal(await settled(first), 'pending');
  h.clock.advance(SESSION_MS / 2);
  const [r1, r2] = await Promise.all([first, second]);
  assert.deepEqual([r1.generationId, r2.generationId], [2, 2]);
  assert.equal(r1.leader, r2.leader);
  assert.notEqual(r1.leader, leaderId);
  assert.ok(
    followers.some((f) => f.memberId === r1.leader),
    'a member that rejoined leads',
  );
  assert.equal(h.coordinator.describeGroups(['g'])[0].members.length, 2);
  assert.equal(beat(h.coordinator, leaderId, 2), 25, 'the old leader was removed');
});

test('a member that does not send SyncGroup in time is removed and the group rebalances', async () => {
  const a = await startJoin(h.coordinator, { clientId: 'a' });
  const b = await startJoin(h.coordinator, { clientId: 'b' });
  h.clock.advance(0);
  const [ja, jb] = await Promise.all([a.joined, b.joined]);
  const leader = ja.memberId === ja.leader ? ja : jb;
  const other = leader === ja ? jb : ja;
  const leaderSync = sync(h.coordinator, leader.memberId, 1);
  assert.equal((await leaderSync).errorCode, 0);
  // Both keep heartbeating (a heartbeat is fine in CompletingRebalance), but one never syncs.
  for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
    assert.equal(beat(h.coordinator, other.memberId, 1), 0);
    assert.equal(beat(h.coordinator, leader.memberId, 1), 0);
    h.clock.advance(SESSION_MS / 2);
  }
  assert.equal(state(), 'PreparingRebalance');
  assert.equal(beat(h.coordinator, other.memberId, 1), 25);
  assert.equal(beat(h.coordinator, leader.memberId, 1), 27);
});

test('a SyncGroup parked when a new rebalance starts is answered REBALANCE_IN_PROGRESS', async () => {
  const a = await startJoin(h.coordinator, { clientId: 'a' });
  const b = await startJoin(h.coordinator, { clientId: 'b' });
  h.clock.advance(0);
  const [ja, jb] = await Promise.all([a.joined, b.joined]);
  const follower = ja.memberId === ja.leader ? jb : ja;
  const parked = sync(h.coordinator, follower.memberId, 1);
  assert.equal(await settled(parked), 'pending');
  await startJoin(h.coordinator, { clientId: 'c' });
  assert.equal((await parked).errorCode, 27);
  assert.equal((await sync(h.coordinator, follower.memberId, 1)).errorCode, 27, 'no sync while preparing');
});

test('SyncGroup and Heartbeat errors: unknown group/member, wrong generation', async () => {
  const [a] = await formGroup(h, 1);
  assert.equal((await sync(h.coordinator, a.memberId, 7)).errorCode, 22);
  assert.equal((await sync(h.coordinator, 'ghost', 1)).errorCode, 25);
  assert.equal(
    (
      await h.coordinator.syncGroup({
        groupId: 'none',
        generationId: 1,
        memberId: 'x',
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      })
    ).errorCode,
    25,
  );
  assert.equal(beat(h.coordinator, a.memberId, 7), 22);
  assert.equal(beat(h.coordinator, 'ghost', 1), 25);
  assert.equal(
    h.coordinator.heartbeat({ groupId: 'none', memberId: 'x', generationId: 1, groupInstanceId: null }),
    25,
  );
  assert.equal(
    h.coordinator.heartbeat({ groupId: '', memberId: 'x', generationId: 1, groupInstanceId: null }),
    24,
  );
  assert.equal(
    (
      await h.coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
        protocolType: 'connect',
        protocolName: null,
        assignments: [],
      })
    ).errorCode,
    23,
    'v5 protocol type must match when sent',
  );
});

test('a pending member (MEMBER_ID_REQUIRED) that never comes back stops blocking the rebalance', async () => {
  const [a] = await formGroup(h, 1);
  const pending = await h.coordinator.joinGroup(joinInput({ clientId: 'late' }));
  assert.equal(pending.errorCode, 79);
  // The leader rejoins; the group waits for the pending member, then gives up on it.
  const rejoin = h.coordinator.joinGroup(joinInput({ memberId: a.memberId }));
  assert.equal(await settled(rejoin), 'pending');
  h.clock.advance(SESSION_MS);
  const result = await rejoin;
  assert.equal(result.generationId, 2);
  assert.equal(result.members.length, 1);
});

test('the last member leaving empties the group and bumps the generation', async () => {
  const [a] = await formGroup(h, 1);
  h.coordinator.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
  assert.equal(state(), 'Empty');
  assert.equal(h.coordinator.listGroups()[0].groupState, 'Empty');
  const [again] = await formGroup(h, 1);
  assert.equal(again.join.generationId, 3);
});

test('LeaveGroup reports per-member errors and a group-level error for an unknown group', async () => {
  const [a] = await formGroup(h, 1);
  const result = h.coordinator.leaveGroup('g', [
    { memberId: 'ghost', groupInstanceId: null },
    { memberId: a.memberId, groupInstanceId: null },
  ]);
  assert.deepEqual(
    result.members.map((m) => m.errorCode),
    [25, 0],
  );
  assert.equal(h.coordinator.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null }]).errorCode, 25);
});

test('close answers parked requests with NOT_COORDINATOR and cancels every timer', async () => {
  const a = await startJoin(h.coordinator, { clientId: 'a' });
  await h.coordinator.close();
  assert.equal((await a.joined).errorCode, 16);
  assert.equal(h.clock.waiting, 0);
  assert.equal(beat(h.coordinator, a.memberId, 0), 15);
});
