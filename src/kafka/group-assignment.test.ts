import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import {
  assignContiguousRanges,
  computeAssignment,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type GroupMemberInfo,
  type TaskAssignor,
} from './group-assignment.ts';

const member = (memberId: string, tasks = 5, owned: number[] = []): GroupMemberInfo => ({
  memberId,
  name: `name-${memberId}`,
  tasks,
  owned,
});

const decoded = (shares: Map<string, Buffer>) =>
  Object.fromEntries([...shares].map(([id, bytes]) => [id, decodeAssignment(bytes)]));

test('contiguous ranges: balanced, first members get the remainder, members sorted by id', () => {
  const shares = computeAssignment(5, [member('c'), member('a'), member('b')], assignContiguousRanges);
  assert.deepEqual(decoded(shares), {
    a: { tasks: 5, members: 3, owned: [0, 1] },
    b: { tasks: 5, members: 3, owned: [2, 3] },
    c: { tasks: 5, members: 3, owned: [4] },
  });
});

test('more members than tasks: the last members get nothing', () => {
  const shares = computeAssignment(
    2,
    [member('a', 2), member('b', 2), member('c', 2)],
    assignContiguousRanges,
  );
  assert.deepEqual(
    Object.values(decoded(shares)).map((d) => d.owned),
    [[0], [1], []],
  );
});

test('subscriptions and assignments round-trip, and a later version with extra fields still reads', () => {
  const bytes = encodeSubscription({ tasks: 7, name: 'höst-12', owned: [3, 4] });
  assert.deepEqual(decodeSubscription('m1', bytes), {
    memberId: 'm1',
    name: 'höst-12',
    tasks: 7,
    owned: [3, 4],
  });
  const future = Buffer.concat([encodeAssignment(7, 2, [1, 5]), Buffer.from([1, 2, 3])]);
  future.writeInt16BE(2, 0);
  assert.deepEqual(decodeAssignment(future), { tasks: 7, members: 2, owned: [1, 5] });
});

test('bytes eddy cannot read are ENG_GROUP_ASSIGNMENT_INVALID naming the member', () => {
  assert.throws(
    () => decodeSubscription('m9', Buffer.from([0, 1, 0, 0])),
    (e: unknown) =>
      isStreamError(e, 'ENG_GROUP_ASSIGNMENT_INVALID') && /member m9 .*ends early/.test(e.message),
  );
  assert.throws(
    () => decodeAssignment(Buffer.alloc(0)),
    (e: unknown) => isStreamError(e, 'ENG_GROUP_ASSIGNMENT_INVALID') && /it is empty/.test(e.message),
  );
});

test('a custom assignor is checked: unknown members, duplicates, gaps, out of range, throwing', () => {
  const members = [member('a', 3), member('b', 3)];
  const fails = (assign: () => Map<string, number[]>, pattern: RegExp) =>
    assert.throws(
      () => computeAssignment(3, members, assign),
      (e: unknown) => isStreamError(e, 'ENG_GROUP_ASSIGNMENT_INVALID') && pattern.test(e.message),
    );
  fails(() => new Map([['z', [0, 1, 2]]]), /"z", which is not a member/);
  fails(
    () =>
      new Map([
        ['a', [0, 1]],
        ['b', [1, 2]],
      ]),
    /task 1 to both "a" and "b"/,
  );
  fails(
    () =>
      new Map([
        ['a', [0]],
        ['b', [2]],
      ]),
    /left tasks 1 without an owner/,
  );
  fails(() => new Map([['a', [0, 1, 2, 3]]]), /task 3; tasks are 0 to 2/);
  fails(() => {
    throw new Error('boom');
  }, /assignor threw: boom/);
  const ok = computeAssignment(3, members, () => new Map([['b', [2, 0, 1]]]));
  assert.deepEqual(decoded(ok), {
    a: { tasks: 3, members: 2, owned: [] },
    b: { tasks: 3, members: 2, owned: [0, 1, 2] },
  });
});

test('the assignor sees what members owned before, so it can keep tasks in place', () => {
  const sticky: TaskAssignor = (_tasks, all) => new Map(all.map((m) => [m.memberId, m.owned]));
  const shares = decoded(computeAssignment(2, [member('a', 2, [1]), member('b', 2, [0])], sticky));
  assert.deepEqual([shares.a.owned, shares.b.owned], [[1], [0]]);
});

test('members that disagree on the task count are refused, naming them', () => {
  assert.throws(
    () => computeAssignment(4, [member('a', 4), member('b', 6)], assignContiguousRanges),
    (e: unknown) =>
      isStreamError(e, 'ENG_GROUP_ASSIGNMENT_INVALID') &&
      /the leader has 4; name-b says 6/.test(e.message) &&
      e.domain === 'user',
  );
});
