import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { CommitOffsetsInput } from './commit-offsets.ts';
import { formGroup, type Harness, joinInput, openHarness, startJoin } from './test-support/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
});
afterEach(() => h.cleanup());

function commitInput(
  overrides: Partial<CommitOffsetsInput> & { offset?: number; metadata?: string | null } = {},
): CommitOffsetsInput {
  const { offset = 42, metadata = 'meta', ...rest } = overrides;
  return {
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: offset,
            committedLeaderEpoch: 5,
            commitTimestamp: -1,
            committedMetadata: metadata,
          },
        ],
      },
    ],
    ...rest,
  };
}
const codes = (result: { partitions: { errorCode: number }[] }[]) =>
  result.flatMap((t) => t.partitions.map((p) => p.errorCode));
const fetchOne = (groupId = 'g', requireStable = false) =>
  h.coordinator.fetchOffsets({ groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable })
    .topics[0].partitions;

test('a simple commit creates the group; offset, leader epoch and metadata round-trip', async () => {
  assert.deepEqual(codes(await h.coordinator.commitOffsets(commitInput())), [0]);
  assert.deepEqual(fetchOne(), [
    { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 5, metadata: 'meta', errorCode: 0 },
    { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
  ]);
  assert.deepEqual(h.coordinator.listGroups(), [{ groupId: 'g', protocolType: '', groupState: 'Empty' }]);
  await h.coordinator.commitOffsets(commitInput({ offset: 50, metadata: null }));
  assert.equal(fetchOne()[0].metadata, '', 'null metadata reads back as empty');
});

test('OFFSET_METADATA_TOO_LARGE above 4096 characters, per partition', async () => {
  const input = commitInput();
  input.topics = [
    {
      name: 't',
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 1,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: 'x'.repeat(4096),
        },
        {
          partitionIndex: 1,
          committedOffset: 2,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: 'x'.repeat(4097),
        },
      ],
    },
  ];
  assert.deepEqual(codes(await h.coordinator.commitOffsets(input)), [0, 12]);
  assert.deepEqual(
    fetchOne().map((p) => p.committedOffset),
    [1, -1],
  );
});

test('unknown partitions are refused when the broker says they do not exist', async () => {
  const result = await h.coordinator.commitOffsets(commitInput(), (topic) => topic !== 't');
  assert.deepEqual(codes(result), [3]);
});

test('group commits need the member and its current generation', async () => {
  const [a] = await formGroup(h, 1);
  const as = (generationId: number, memberId: string) =>
    h.coordinator.commitOffsets(commitInput({ generationId, memberId }));
  assert.deepEqual(codes(await as(1, a.memberId)), [0]);
  assert.deepEqual(codes(await as(2, a.memberId)), [22]);
  assert.deepEqual(codes(await as(1, 'ghost')), [25]);
  assert.deepEqual(codes(await as(-1, '')), [25], 'a simple commit is refused while the group has members');
  assert.deepEqual(
    codes(
      await h.coordinator.commitOffsets(commitInput({ groupId: 'other', generationId: 3, memberId: 'x' })),
    ),
    [22],
  );
  // A commit during PreparingRebalance with the current generation is fine (eager consumers do this).
  await startJoin(h.coordinator, { clientId: 'b' });
  assert.deepEqual(codes(await as(1, a.memberId)), [0]);
  // In CompletingRebalance the member must sync first.
  await h.coordinator.joinGroup(joinInput({ memberId: a.memberId }));
  assert.equal(h.coordinator.describeGroups(['g'])[0].groupState, 'CompletingRebalance');
  assert.deepEqual(codes(await as(2, a.memberId)), [27]);
});

test('OffsetFetch: unknown group reads -1, null topics lists every committed offset', async () => {
  assert.deepEqual(
    fetchOne('nobody').map((p) => p.committedOffset),
    [-1, -1],
  );
  assert.deepEqual(
    h.coordinator.fetchOffsets({ groupId: 'nobody', topics: null, requireStable: false }).topics,
    [],
  );
  const input = commitInput();
  input.topics = [
    {
      name: 'a',
      partitions: [
        {
          partitionIndex: 3,
          committedOffset: 7,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: 'm',
        },
      ],
    },
    {
      name: 'b',
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 9,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: null,
        },
      ],
    },
  ];
  await h.coordinator.commitOffsets(input);
  const all = h.coordinator.fetchOffsets({ groupId: 'g', topics: null, requireStable: false });
  assert.deepEqual(all.topics, [
    {
      name: 'a',
      partitions: [
        { partitionIndex: 3, committedOffset: 7, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 },
      ],
    },
    {
      name: 'b',
      partitions: [
        { partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      ],
    },
  ]);
});

test('requireStable: a pending transactional commit answers UNSTABLE_OFFSET_COMMIT', async () => {
  await h.coordinator.commitOffsets(commitInput());
  h.coordinator.offsets.markPendingTransactional({ groupId: 'g', topic: 't', partition: 0 });
  assert.equal(fetchOne('g', true)[0].errorCode, 88);
  assert.equal(
    fetchOne('g', false)[0].committedOffset,
    42,
    'without requireStable the committed offset is read',
  );
  h.coordinator.offsets.clearPendingTransactional({ groupId: 'g', topic: 't', partition: 0 });
  assert.equal(fetchOne('g', true)[0].committedOffset, 42);
});

test('offsets and groups survive a restart; members keep their generation if they keep heartbeating', async () => {
  const [a, b] = await formGroup(h, 2);
  await h.coordinator.commitOffsets(
    commitInput({ generationId: 1, memberId: a.memberId, metadata: 'after restart' }),
  );
  await h.coordinator.commitOffsets(commitInput({ groupId: 'simple', offset: 3 }));
  const restarted = await h.restart();
  assert.deepEqual(fetchOne()[0], {
    partitionIndex: 0,
    committedOffset: 42,
    committedLeaderEpoch: 5,
    metadata: 'after restart',
    errorCode: 0,
  });
  assert.equal(fetchOne('simple')[0].committedOffset, 3);
  const [described] = restarted.describeGroups(['g']);
  assert.equal(described.groupState, 'Stable');
  assert.deepEqual(described.members.map((m) => m.memberAssignment.toString()).sort(), [
    'assigned-0',
    'assigned-1',
  ]);
  assert.equal(
    restarted.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null }),
    0,
  );
  // b does not come back: its session expires and a, still heartbeating, is asked to rejoin.
  for (let i = 0; i < 3; i++) {
    h.clock.advance(5_000);
    restarted.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null });
  }
  assert.equal(
    restarted.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null }),
    27,
  );
  assert.equal(
    restarted.heartbeat({ groupId: 'g', memberId: b.memberId, generationId: 1, groupInstanceId: null }),
    25,
  );
  const rejoined = await restarted.joinGroup(joinInput({ memberId: a.memberId }));
  assert.equal(rejoined.generationId, 2);
});

test('offsets of a simple group expire after the retention; the empty group goes with them', async () => {
  await h.cleanup();
  h = await openHarness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  await h.coordinator.commitOffsets(commitInput());
  h.clock.advance(50_000);
  await h.coordinator.expireOffsets();
  assert.equal(fetchOne()[0].committedOffset, 42);
  h.clock.advance(10_000);
  await h.coordinator.expireOffsets();
  assert.equal(fetchOne()[0].committedOffset, -1);
  assert.deepEqual(h.coordinator.listGroups(), []);
  const reopened = await h.restart();
  assert.deepEqual(reopened.listGroups(), [], 'the removal was persisted');
});

test('a consumer group keeps offsets of subscribed topics while it has members', async () => {
  await h.cleanup();
  h = await openHarness({ offsetsRetentionMs: 60_000 });
  // ConsumerProtocolSubscription v0: version, [topics], user data.
  const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff]);
  const [a] = await formGroup(h, 1, { protocols: [{ name: 'range', metadata: subscription }] });
  const input = commitInput({ generationId: 1, memberId: a.memberId });
  input.topics = [
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
    {
      name: 'gone',
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
  ];
  await h.coordinator.commitOffsets(input);
  for (let i = 0; i < 14; i++) {
    h.clock.advance(5_000);
    h.coordinator.heartbeat({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null });
  }
  await h.coordinator.expireOffsets();
  const all = h.coordinator.fetchOffsets({ groupId: 'g', topics: null, requireStable: false });
  assert.deepEqual(
    all.topics.map((t) => t.name),
    ['t'],
    'only the offsets of the topic nobody subscribes to expired',
  );
});

test('DescribeGroups reports unknown groups as Dead; ListGroups filters by state', async () => {
  await formGroup(h, 1);
  await h.coordinator.commitOffsets(commitInput({ groupId: 'simple' }));
  assert.deepEqual(h.coordinator.describeGroups(['missing']), [
    { errorCode: 0, groupId: 'missing', groupState: 'Dead', protocolType: '', protocolData: '', members: [] },
  ]);
  assert.deepEqual(
    h.coordinator.listGroups(['stable']).map((g) => g.groupId),
    ['g'],
  );
  assert.deepEqual(
    h.coordinator.listGroups(['Empty']).map((g) => g.groupId),
    ['simple'],
  );
  assert.equal(h.coordinator.listGroups().length, 2);
});

test('deleting a topic forgets its committed offsets', async () => {
  await h.coordinator.commitOffsets(commitInput());
  await h.coordinator.deleteOffsetsOfTopics(['t']);
  assert.equal(fetchOne()[0].committedOffset, -1);
  await h.restart();
  assert.equal(fetchOne()[0].committedOffset, -1);
});
