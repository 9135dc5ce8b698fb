// The group coordinator over real sockets: FindCoordinator, JoinGroup/SyncGroup/Heartbeat/LeaveGroup,
// OffsetCommit/OffsetFetch, DescribeGroups and ListGroups at their version edges, and a broker restart.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DESCRIBE_GROUPS_SCHEMA,
  FIND_COORDINATOR_SCHEMA,
  HEARTBEAT_SCHEMA,
  JOIN_GROUP_SCHEMA,
  LEAVE_GROUP_SCHEMA,
  LIST_GROUPS_SCHEMA,
  OFFSET_COMMIT_SCHEMA,
  OFFSET_FETCH_SCHEMA,
  SYNC_GROUP_SCHEMA,
} from '../../src/protocol/messages/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic } from './data-path-helpers.ts';

let dataDir: string;
let broker: TestBroker;
let admin: KafkaSocket;
const sockets: KafkaSocket[] = [];

async function start(): Promise<void> {
  broker = await startTestBroker({ dataDir, groups: { minSessionTimeoutMs: 100 } });
  admin = await connect();
}
async function connect(): Promise<KafkaSocket> {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  sockets.push(socket);
  return socket;
}
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eddy-groups-it-'));
  await start();
  await createTopic(admin, 'orders', 4);
});
after(async () => {
  for (const socket of sockets) socket.close();
  await broker.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Joined {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}
interface Offsets {
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      metadata: string | null;
      errorCode: number;
    }[];
  }[];
  errorCode?: number;
}

const protocols = [{ name: 'range', metadata: Buffer.from('subscription') }];
const joinBody = (groupId: string, memberId: string, sessionTimeoutMs = 10_000) => ({
  groupId,
  sessionTimeoutMs,
  rebalanceTimeoutMs: 10_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols,
});
const join5 = (socket: KafkaSocket, groupId: string, memberId: string, sessionTimeoutMs?: number) =>
  socket.request<Joined>(JOIN_GROUP_SCHEMA, 5, joinBody(groupId, memberId, sessionTimeoutMs));
const sync = (
  socket: KafkaSocket,
  version: number,
  body: {
    groupId: string;
    generationId: number;
    memberId: string;
    assignments?: { memberId: string; assignment: Buffer }[];
  },
) =>
  socket.request<{ errorCode: number; assignment: Buffer }>(SYNC_GROUP_SCHEMA, version, {
    groupInstanceId: null,
    assignments: [],
    ...body,
  });
const heartbeat = (
  socket: KafkaSocket,
  version: number,
  groupId: string,
  memberId: string,
  generationId: number,
) =>
  socket.request<{ errorCode: number }>(HEARTBEAT_SCHEMA, version, {
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
  });
const describe = (version: number, groups: string[], includeAuthorizedOperations = false) =>
  admin.request<{
    groups: {
      errorCode: number;
      groupState: string;
      protocolData: string;
      authorizedOperations?: number;
      members: { memberId: string; memberAssignment: Buffer; memberMetadata: Buffer }[];
    }[];
  }>(DESCRIBE_GROUPS_SCHEMA, version, { groups, includeAuthorizedOperations });

/** Three members on three connections join and sync concurrently; returns them with their assignments. */
async function formGroupOfThree(groupId: string, sessionTimeoutMs?: number) {
  const conns = await Promise.all([connect(), connect(), connect()]);
  const ids = await Promise.all(conns.map(async (c) => (await join5(c, groupId, '')).memberId));
  // All three joins are parked at once; another connection is served meanwhile.
  const joins = Promise.all(conns.map((c, i) => join5(c, groupId, ids[i], sessionTimeoutMs)));
  const listed = await admin.request<{ groups: { groupId: string }[] }>(LIST_GROUPS_SCHEMA, 0, {});
  assert.ok(listed.groups.some((g) => g.groupId === groupId));
  const joined = await joins;
  const leader = joined.find((j) => j.memberId === j.leader)!;
  const assignments = joined.map((j, i) => ({
    memberId: j.memberId,
    assignment: Buffer.from(`partition-${i}`),
  }));
  const synced = await Promise.all(
    conns.map((c, i) =>
      sync(c, 3, {
        groupId,
        generationId: joined[i].generationId,
        memberId: joined[i].memberId,
        assignments: joined[i] === leader ? assignments : [],
      }),
    ),
  );
  return { conns, joined, leader, synced };
}

test('FindCoordinator names this broker for groups and transactions, in v0 and batched v4', async () => {
  const v0 = await admin.request<{ errorCode: number; nodeId: number; host: string; port: number }>(
    FIND_COORDINATOR_SCHEMA,
    0,
    { key: 'g' },
  );
  assert.deepEqual([v0.errorCode, v0.nodeId, v0.host, v0.port], [0, 1, '127.0.0.1', broker.port]);
  const v4 = await admin.request<{
    coordinators: { key: string; nodeId: number; port: number; errorCode: number }[];
  }>(FIND_COORDINATOR_SCHEMA, 4, {
    keyType: 1,
    coordinatorKeys: ['tx-a', 'tx-b'],
  });
  assert.deepEqual(
    v4.coordinators.map((c) => [c.key, c.nodeId, c.port, c.errorCode]),
    [
      ['tx-a', 1, broker.port, 0],
      ['tx-b', 1, broker.port, 0],
    ],
  );
  const bad = await admin.request<{ errorCode: number }>(FIND_COORDINATOR_SCHEMA, 2, {
    key: 'g',
    keyType: 7,
  });
  assert.equal(bad.errorCode, 42);
});

test('three members on three connections join and sync concurrently', async () => {
  const { joined, leader, synced } = await formGroupOfThree('trio');
  assert.deepEqual(new Set(joined.map((j) => j.generationId)).size, 1);
  assert.equal(leader.members.length, 3);
  for (const j of joined) if (j !== leader) assert.deepEqual(j.members, []);
  assert.deepEqual(
    synced.map((s) => s.assignment.toString()),
    ['partition-0', 'partition-1', 'partition-2'],
  );
  const [described] = (await describe(5, ['trio'], true)).groups;
  assert.equal(described.groupState, 'Stable');
  assert.equal(described.protocolData, 'range');
  assert.equal(described.members.length, 3);
  assert.notEqual(described.authorizedOperations, -2147483648);
  const [notAsked] = (await describe(3, ['trio'])).groups;
  assert.equal(notAsked.authorizedOperations, -2147483648);
});

test('a member that stops heartbeating is removed and the others are asked to rejoin', async () => {
  const { conns, joined } = await formGroupOfThree('quiet', 1000);
  const [alive, , silent] = joined;
  const deadline = Date.now() + 5000;
  let code = 0;
  while (code === 0 && Date.now() < deadline) {
    await sleep(100);
    code = (await heartbeat(conns[0], 4, 'quiet', alive.memberId, alive.generationId)).errorCode;
    await heartbeat(conns[1], 0, 'quiet', joined[1].memberId, joined[1].generationId);
  }
  assert.equal(code, 27, 'REBALANCE_IN_PROGRESS once the silent member expired');
  assert.equal((await heartbeat(conns[2], 4, 'quiet', silent.memberId, silent.generationId)).errorCode, 25);
  const rejoined = await Promise.all([
    join5(conns[0], 'quiet', alive.memberId, 1000),
    join5(conns[1], 'quiet', joined[1].memberId, 1000),
  ]);
  assert.deepEqual(
    rejoined.map((r) => r.generationId),
    [alive.generationId + 1, alive.generationId + 1],
  );
  const leader = rejoined.find((r) => r.memberId === r.leader)!;
  assert.deepEqual(leader.members.map((m) => m.memberId).sort(), [alive.memberId, joined[1].memberId].sort());
});

test('OffsetCommit metadata round-trips through OffsetFetch at v0 and v8', async () => {
  const commit = (
    version: number,
    groupId: string,
    partition: number,
    offset: number,
    metadata: string | null,
  ) =>
    admin.request<{ topics: { partitions: { errorCode: number }[] }[] }>(OFFSET_COMMIT_SCHEMA, version, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: partition,
              committedOffset: offset,
              committedLeaderEpoch: 3,
              commitTimestamp: -1,
              committedMetadata: metadata,
            },
          ],
        },
      ],
    });
  assert.equal((await commit(0, 'offsets-a', 0, 10, 'from v0')).topics[0].partitions[0].errorCode, 0);
  assert.equal((await commit(8, 'offsets-a', 1, 20, 'from v8 ✓')).topics[0].partitions[0].errorCode, 0);
  assert.equal((await commit(2, 'offsets-b', 2, 30, null)).topics[0].partitions[0].errorCode, 0);
  assert.equal(
    (await commit(8, 'offsets-a', 9, 1, null)).topics[0].partitions[0].errorCode,
    3,
    'no such partition',
  );
  assert.equal((await commit(8, 'offsets-a', 0, 1, 'x'.repeat(4097))).topics[0].partitions[0].errorCode, 12);

  const v0 = await admin.request<Offsets>(OFFSET_FETCH_SCHEMA, 0, {
    groupId: 'offsets-a',
    topics: [{ name: 'orders', partitionIndexes: [0, 1, 3] }],
  });
  assert.deepEqual(
    v0.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
    [
      [0, 10, 'from v0', 0],
      [1, 20, 'from v8 ✓', 0],
      [3, -1, '', 0],
    ],
  );
  const v8 = await admin.request<{
    groups: {
      groupId: string;
      errorCode: number;
      topics: {
        name: string;
        partitions: {
          partitionIndex: number;
          committedOffset: number;
          committedLeaderEpoch: number;
          metadata: string;
        }[];
      }[];
    }[];
  }>(OFFSET_FETCH_SCHEMA, 8, {
    groups: [
      { groupId: 'offsets-a', topics: null },
      { groupId: 'offsets-b', topics: [{ name: 'orders', partitionIndexes: [2] }] },
      { groupId: 'never', topics: [{ name: 'orders', partitionIndexes: [0] }] },
    ],
    requireStable: true,
  });
  assert.deepEqual(
    v8.groups.map((g) => [
      g.groupId,
      g.errorCode,
      g.topics.flatMap((t) =>
        t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata]),
      ),
    ]),
    [
      [
        'offsets-a',
        0,
        [
          [0, 10, -1, 'from v0'],
          [1, 20, 3, 'from v8 ✓'],
        ],
      ],
      ['offsets-b', 0, [[2, 30, -1, '']]],
      ['never', 0, [[0, -1, -1, '']]],
    ],
  );
});

test('old and new versions of the membership APIs: JoinGroup v0, SyncGroup v0, LeaveGroup v0 and v4, ListGroups v4', async () => {
  const c = await connect();
  const joined = await c.request<Joined>(JOIN_GROUP_SCHEMA, 0, joinBody('legacy', ''));
  assert.equal(joined.errorCode, 0, 'v0 needs no second join');
  const synced = await sync(c, 0, {
    groupId: 'legacy',
    generationId: joined.generationId,
    memberId: joined.memberId,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('all') }],
  });
  assert.deepEqual(synced.assignment, Buffer.from('all'));
  const joined6 = await c.request<Joined>(JOIN_GROUP_SCHEMA, 6, joinBody('modern', ''));
  assert.equal(joined6.errorCode, 79);
  const listed = await admin.request<{ groups: { groupId: string; groupState: string }[] }>(
    LIST_GROUPS_SCHEMA,
    4,
    { statesFilter: ['Stable'] },
  );
  assert.ok(listed.groups.some((g) => g.groupId === 'legacy' && g.groupState === 'Stable'));
  assert.ok(!listed.groups.some((g) => g.groupId === 'modern'));

  const gone = await c.request<{ errorCode: number }>(LEAVE_GROUP_SCHEMA, 0, {
    groupId: 'legacy',
    memberId: 'ghost',
  });
  assert.equal(gone.errorCode, 25, 'v0 folds the member error into the top level');
  const left = await c.request<{ errorCode: number; members: { memberId: string; errorCode: number }[] }>(
    LEAVE_GROUP_SCHEMA,
    4,
    {
      groupId: 'legacy',
      members: [{ memberId: joined.memberId, groupInstanceId: null }],
    },
  );
  assert.deepEqual([left.errorCode, left.members.map((m) => m.errorCode)], [0, [0]]);
  const [described] = (await describe(0, ['legacy', 'nobody'])).groups;
  assert.equal(described.groupState, 'Empty');
  assert.equal((await describe(0, ['nobody'])).groups[0].groupState, 'Dead');
});

test('committed offsets and the group survive a broker restart', async () => {
  const { conns, joined, leader } = await formGroupOfThree('durable');
  const answer = await conns[0].request<{ topics: { partitions: { errorCode: number }[] }[] }>(
    OFFSET_COMMIT_SCHEMA,
    7,
    {
      groupId: 'durable',
      generationIdOrMemberEpoch: joined[0].generationId,
      memberId: joined[0].memberId,
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 3, committedOffset: 77, committedLeaderEpoch: -1, committedMetadata: 'kept' },
          ],
        },
      ],
    },
  );
  assert.equal(answer.topics[0].partitions[0].errorCode, 0);

  for (const socket of sockets.splice(0)) socket.close();
  await broker.close();
  await start();

  const fetched = await admin.request<Offsets>(OFFSET_FETCH_SCHEMA, 5, {
    groupId: 'durable',
    topics: [{ name: 'orders', partitionIndexes: [3] }],
    requireStable: false,
  });
  assert.deepEqual(
    fetched.topics[0].partitions.map((p) => [p.committedOffset, p.metadata]),
    [[77, 'kept']],
  );
  const [described] = (await describe(4, ['durable'])).groups;
  assert.equal(described.groupState, 'Stable');
  assert.deepEqual(described.members.map((m) => m.memberAssignment.toString()).sort(), [
    'partition-0',
    'partition-1',
    'partition-2',
  ]);
  // Like a Kafka coordinator after failover: a member that keeps heartbeating keeps its generation.
  const back = await connect();
  assert.equal((await heartbeat(back, 3, 'durable', leader.memberId, leader.generationId)).errorCode, 0);
});
