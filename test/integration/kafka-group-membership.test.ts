// Job processes dividing a job's tasks through the Kafka group protocol (src/kafka/group-membership.ts),
// against the real embedded broker: several members in this process, each with its own connections, and
// one in a child process killed with SIGKILL.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, before, test } from 'node:test';
import { FaultInjector } from '../../src/broker/index.ts';
import { isStreamError } from '../../src/common/errors.ts';
import {
  type JobGroupMember,
  type JobGroupOptions,
  joinJobGroup,
  type RevokeReason,
  type TaskAssignment,
  type TaskAssignor,
} from '../../src/kafka/group-membership.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';

const SESSION_MS = 1_000;
const faults = new FaultInjector();
let broker: TestBroker;
let groupCount = 0;
const members: JobGroupMember[] = [];

before(async () => {
  // The broker's default minimum session timeout (Kafka's 6 s) would make eviction tests slow.
  broker = await startTestBroker({ groups: { minSessionTimeoutMs: 100 }, faults });
});
afterEach(async () => {
  faults.clear();
  // Members of earlier tests would keep heartbeating into later tests' fault rules.
  await Promise.all(members.splice(0).map((m) => m.leave()));
});
after(() => broker.stop());

/** Options for a member of a fresh group per test. */
function groupOptions(tasks: number): (name: string, extra?: Partial<JobGroupOptions>) => JobGroupOptions {
  const groupId = `eddy-job-${++groupCount}`;
  return (memberName, extra = {}) => ({
    bootstrap: broker.bootstrap,
    groupId,
    memberName,
    tasks,
    sessionTimeoutMs: SESSION_MS,
    heartbeatIntervalMs: 100,
    rebalanceTimeoutMs: 10_000,
    ...extra,
  });
}

async function member(options: JobGroupOptions): Promise<JobGroupMember> {
  const member = await joinJobGroup(options);
  members.push(member);
  return member;
}

/** The next assignment `member` receives that satisfies `accept`. */
function nextAssignment(
  member: JobGroupMember,
  accept: (a: TaskAssignment) => boolean = () => true,
): Promise<TaskAssignment> {
  return new Promise((resolve) => {
    const listener = (a: TaskAssignment) => {
      if (!accept(a)) return;
      member.off('assigned', listener);
      resolve(a);
    };
    member.on('assigned', listener);
  });
}

/** One generation's assignments: every task owned exactly once, shares within one of each other. */
function assertPartitioned(assignments: readonly TaskAssignment[], tasks: number): void {
  assert.equal(new Set(assignments.map((a) => a.generation)).size, 1, 'one generation');
  for (const a of assignments) assert.equal(a.members, assignments.length);
  const owned = assignments.flatMap((a) => a.tasks);
  assert.deepEqual(
    [...owned].sort((x, y) => x - y),
    Array.from({ length: tasks }, (_, i) => i),
    'every task owned exactly once',
  );
  const sizes = assignments.map((a) => a.tasks.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
}

test('one member owns every task; a second splits them; when the first leaves the second owns all', async () => {
  const options = groupOptions(5);
  const a = await member(options('a'));
  assert.deepEqual(a.assignment, { generation: 1, tasks: [0, 1, 2, 3, 4], members: 1 });

  const aSecond = nextAssignment(a);
  const b = await member(options('b'));
  const aSplit = await aSecond;
  assertPartitioned([aSplit, b.assignment], 5);
  assert.equal(aSplit.generation, 2);
  // Default assignor: contiguous ranges in member id order (ids start with the client id, eddy-<name>).
  assert.deepEqual(aSplit.tasks, [0, 1, 2]);
  assert.deepEqual(b.assignment.tasks, [3, 4]);

  const revoked: [TaskAssignment, RevokeReason][] = [];
  a.on('revoking', (old, reason) => {
    revoked.push([old, reason]);
  });
  const bAlone = nextAssignment(b);
  await a.leave();
  assert.deepEqual(revoked, [[aSplit, 'leave']]);
  assert.deepEqual(a.assignment.tasks, [], 'a leaver owns nothing');
  assert.deepEqual(await bAlone, { generation: 3, tasks: [0, 1, 2, 3, 4], members: 1 });
});

test("'revoking' is awaited, heartbeats going on, before anyone gets the next assignment", async () => {
  const options = groupOptions(4);
  const a = await member(options('a'));
  const log: string[] = [];
  a.on('revoking', async (old, reason) => {
    if (reason !== 'rebalance') return;
    log.push(`a revoking ${old.tasks}`);
    // Longer than a session: a member that stopped heartbeating while it hands over would be evicted.
    await new Promise((resolve) => setTimeout(resolve, SESSION_MS * 1.3));
    log.push('a revoked');
  });
  a.on('assigned', (x) => log.push(`a assigned gen ${x.generation} of ${x.members}`));
  const b = await member(options('b'));
  log.push(`b assigned gen ${b.assignment.generation} of ${b.assignment.members}`);
  // a's own event may come just after b's join resolved: both come from the same SyncGroup round.
  if (a.assignment.generation !== 2) await nextAssignment(a);
  assert.deepEqual(log.slice(0, 2), ['a revoking 0,1,2,3', 'a revoked']);
  assert.deepEqual(log.slice(2).sort(), ['a assigned gen 2 of 2', 'b assigned gen 2 of 2']);
  assertPartitioned([a.assignment, b.assignment], 4);
});

test('a killed process is evicted after its session timeout and the others take its tasks', async () => {
  const options = groupOptions(6);
  const { groupId } = options('x');
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'kafka-group-member-child.ts'),
      broker.bootstrap,
      groupId,
      '6',
      `${SESSION_MS}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
  const lines = createInterface({ input: child.stdout });
  const childAssignments = lines[Symbol.asyncIterator]();
  try {
    assert.equal((await childAssignments.next()).value, 'assigned 1 0,1,2,3,4,5', 'the child leads alone');
    const survivor = await member(options('survivor'));
    assert.equal(survivor.assignment.generation, 2);
    assert.equal(survivor.assignment.tasks.length, 3);
    const [, generation, tasks] = ((await childAssignments.next()).value as string).split(' ');
    assert.equal(generation, '2');
    assertPartitioned(
      [survivor.assignment, { generation: 2, tasks: tasks.split(',').map(Number), members: 2 }],
      6,
    );

    const takeover = nextAssignment(survivor);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.deepEqual(await takeover, { generation: 3, tasks: [0, 1, 2, 3, 4, 5], members: 1 });
  } finally {
    lines.close();
    child.kill('SIGKILL');
  }
});

test('members that disagree on the task count: the leader reports it and leaves, the other goes on', async () => {
  const options = groupOptions(4);
  const leader = await member(options('a'));
  const errors: Error[] = [];
  const failed = new Promise<void>((resolve) =>
    leader.on('error', (error) => {
      errors.push(error);
      resolve();
    }),
  );
  const other = await member(options('b', { tasks: 6 }));
  await failed;
  assert.ok(isStreamError(errors[0], 'ENG_GROUP_ASSIGNMENT_INVALID'), String(errors[0]));
  assert.match(errors[0].message, /disagree on the number of tasks \(the leader has 4; b says 6\)/);
  assert.deepEqual(leader.assignment.tasks, []);
  assert.deepEqual(other.assignment.tasks, [0, 1, 2, 3, 4, 5]);
  assert.equal(other.assignment.members, 1);
});

test('a custom assignor decides who owns what, knowing what each member owned before', async () => {
  const options = groupOptions(3);
  const seen: string[][] = [];
  // Everything to the member whose name sorts last, e.g. to keep state where it already is.
  const lastTakesAll: TaskAssignor = (tasks, all) => {
    seen.push(all.map((m) => `${m.name}:${m.owned}`).sort());
    const last = [...all].sort((x, y) => x.name.localeCompare(y.name)).at(-1);
    return new Map([[last?.memberId ?? '', Array.from({ length: tasks }, (_, i) => i)]]);
  };
  const a = await member(options('a', { assign: lastTakesAll }));
  const aNext = nextAssignment(a);
  const z = await member(options('z', { assign: lastTakesAll }));
  assert.deepEqual((await aNext).tasks, []);
  assert.deepEqual(z.assignment.tasks, [0, 1, 2]);
  assert.deepEqual(seen, [['a:'], ['a:0,1,2', 'z:']]);
});

test('coordinator errors are retried: NOT_COORDINATOR heartbeats and an unavailable coordinator at join', async () => {
  const options = groupOptions(2);
  faults.add({ apiKey: 11, action: { type: 'error-response', errorCode: 15 }, count: 1 });
  const a = await member(options('a'));
  assert.deepEqual(a.assignment, { generation: 1, tasks: [0, 1], members: 1 });
  let revokes = 0;
  a.on('revoking', () => {
    revokes++;
  });
  faults.add({ apiKey: 12, action: { type: 'error-response', errorCode: 16 }, count: 3 });
  // Three failed heartbeats are shorter than a session: the member keeps its place and its tasks.
  const b = await member(options('b'));
  assert.equal(revokes, 1, 'one hand-over, for the rebalance b caused');
  assert.equal(b.assignment.generation, 2);
  assert.deepEqual(faults.hits(), [1, 3], 'the faults fired');
});

test('an evicted member (UNKNOWN_MEMBER_ID) hands over as lost and rejoins under a new id', async () => {
  const options = groupOptions(2);
  const a = await member(options('a'));
  const firstId = a.memberId;
  const reasons: RevokeReason[] = [];
  a.on('revoking', (_old, reason) => {
    reasons.push(reason);
  });
  const rejoined = nextAssignment(a);
  faults.add({ apiKey: 12, action: { type: 'error-response', errorCode: 25 }, count: 1 });
  const again = await rejoined;
  assert.deepEqual(reasons, ['lost']);
  assert.notEqual(a.memberId, firstId);
  assert.deepEqual(again.tasks, [0, 1]);
  assert.ok(again.generation > 1);
});

test('a member cut off from the coordinator for a session hands over as lost, then rejoins', async () => {
  const options = groupOptions(2);
  const a = await member(options('a'));
  const lost = new Promise<RevokeReason>((resolve) => a.on('revoking', (_old, reason) => resolve(reason)));
  const rejoined = nextAssignment(a);
  // Every heartbeat's connection closes unanswered, as when the coordinator is down.
  faults.add({ apiKey: 12, action: { type: 'close-before' } });
  assert.equal(await lost, 'lost');
  faults.clear();
  const again = await rejoined;
  assert.deepEqual(again.tasks, [0, 1]);
  assert.ok(again.generation > 1, 'a new generation: the broker had evicted it');
});

test('the broker refusing the session timeout, or no broker at all, rejects joinJobGroup', async () => {
  const options = groupOptions(1);
  await assert.rejects(
    joinJobGroup(options('a', { sessionTimeoutMs: 50, heartbeatIntervalMs: 10 })),
    (e: unknown) =>
      isStreamError(e, 'ENG_GROUP_MEMBERSHIP_FAILED') &&
      /INVALID_SESSION_TIMEOUT \(the session timeout is outside the broker's group.min.session.timeout.ms/.test(
        e.message,
      ),
  );
  await assert.rejects(
    joinJobGroup(options('a', { bootstrap: '127.0.0.1:1' })),
    (e: unknown) =>
      isStreamError(e, 'ENG_GROUP_MEMBERSHIP_FAILED') && /cannot reach the cluster/.test(e.message),
  );
});
