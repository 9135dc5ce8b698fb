// kafkajs 2.2.4 consumer groups against eddy's broker: three members share a 4-partition topic, each
// partition has exactly one owner per generation, a member leaves and the others take over, and
// restarted consumers resume from the committed offsets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AssignerProtocol, type Consumer, Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';

const TOPIC = 'group-orders';
const GROUP = 'kafkajs-group';
const PARTITIONS = [0, 1, 2, 3];

let broker: TestBroker;
let kafka: Kafka;
/** Every assignment the broker handed out, by generation: what each member was told it owns. */
const delivered: { generationId: number; memberId: string; partitions: number[] }[] = [];

function decodePartitions(assignment: Buffer): number[] {
  if (assignment.length === 0) return [];
  return [...(AssignerProtocol.MemberAssignment.decode(assignment)?.assignment[TOPIC] ?? [])].sort();
}

before(async () => {
  broker = await startTestBroker({ groups: { minSessionTimeoutMs: 1000 } });
  const groups = broker.state.groups;
  const syncGroup = groups.syncGroup.bind(groups);
  groups.syncGroup = async (input) => {
    const result = await syncGroup(input);
    if (result.errorCode === 0) {
      delivered.push({
        generationId: input.generationId,
        memberId: input.memberId,
        partitions: decodePartitions(result.assignment),
      });
    }
    return result;
  };
  kafka = new Kafka({
    clientId: 'compat',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4, replicationFactor: 1 }] });
  await admin.disconnect();
});
after(async () => {
  await Promise.all(members.map((m) => m.consumer.disconnect().catch(() => undefined)));
  await broker.stop();
});

interface Member {
  name: string;
  consumer: Consumer;
  memberId: string | null;
  /** Partitions from the latest GROUP_JOIN event. */
  assigned: number[];
  joins: { memberId: string; partitions: number[] }[];
  consumed: { partition: number; offset: number; value: string }[];
}
const members: Member[] = [];

async function startMember(name: string): Promise<Member> {
  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 6000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
  });
  const member: Member = { name, consumer, memberId: null, assigned: [], joins: [], consumed: [] };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = [...(payload.memberAssignment[TOPIC] ?? [])].sort();
    member.memberId = payload.memberId;
    member.assigned = partitions;
    member.joins.push({ memberId: payload.memberId, partitions });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      member.consumed.push({
        partition,
        offset: Number(message.offset),
        value: message.value?.toString() ?? '',
      });
    },
  });
  members.push(member);
  return member;
}

async function produce(values: string[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: values.map((value, i) => ({ value, partition: i % 4 })) });
  await producer.disconnect();
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The broker's view of the current generation (DescribeGroups while Stable), decoded: member id →
 * partitions. Null while a rebalance is under way.
 */
function brokerAssignment(): Map<string, number[]> | null {
  const [group] = broker.state.groups.describeGroups([GROUP]);
  if (group.groupState !== 'Stable') return null;
  const owners = new Map<string, number[]>();
  for (const m of group.members) owners.set(m.memberId, decodePartitions(m.memberAssignment));
  return owners;
}

/** Waits for a Stable generation with `live` members whose clients all know their assignment. */
async function settledGeneration(live: Member[]): Promise<Map<string, number[]>> {
  let owners: Map<string, number[]> | null = null;
  await until(`a stable generation of ${live.length}`, () => {
    owners = brokerAssignment();
    return (
      owners !== null &&
      owners.size === live.length &&
      live.every(
        (m) => m.memberId !== null && JSON.stringify(owners!.get(m.memberId)) === JSON.stringify(m.assigned),
      )
    );
  });
  const settled = owners as unknown as Map<string, number[]>;
  // Each partition has exactly one owner in this generation.
  const all = [...settled.values()].flat().sort();
  assert.deepEqual(all, PARTITIONS);
  return settled;
}

function committedOffsets(): Promise<{ partition: number; offset: string }[]> {
  const admin = kafka.admin();
  return admin
    .connect()
    .then(() => admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))
    .then(async (answer) => {
      await admin.disconnect();
      return answer[0].partitions
        .map((p) => ({ partition: p.partition, offset: p.offset }))
        .sort((a, b) => a.partition - b.partition);
    });
}

test('three members split four partitions, one leaves, the others take over, and offsets resume', async () => {
  const [a, b, c] = [await startMember('a'), await startMember('b'), await startMember('c')];
  const first = await settledGeneration([a, b, c]);
  assert.equal(first.size, 3);

  await produce(Array.from({ length: 40 }, (_, i) => `first-${i}`));
  await until('40 records consumed', () => members.reduce((n, m) => n + m.consumed.length, 0) >= 40);
  for (const m of [a, b, c]) {
    for (const record of m.consumed)
      assert.ok(m.assigned.includes(record.partition), `${m.name} read a partition it does not own`);
  }

  await c.consumer.disconnect();
  const second = await settledGeneration([a, b]);
  assert.equal(second.size, 2);
  await produce(Array.from({ length: 20 }, (_, i) => `second-${i}`));
  await until(
    'the survivors consume the new records',
    () =>
      [a, b].reduce((n, m) => n + m.consumed.filter((r) => r.value.startsWith('second-')).length, 0) >= 20,
  );
  const survivors = [a, b].flatMap((m) =>
    m.consumed.filter((r) => r.value.startsWith('second-')).map((r) => r.partition),
  );
  assert.deepEqual(
    [...new Set(survivors)].sort(),
    PARTITIONS,
    'the partitions of the member that left were taken over',
  );

  await Promise.all([a.consumer.disconnect(), b.consumer.disconnect()]);
  const committed = await committedOffsets();
  assert.deepEqual(
    committed.map((p) => Number(p.offset)),
    [15, 15, 15, 15],
    'every consumed record was committed',
  );

  members.length = 0;
  const [d, e] = [await startMember('d'), await startMember('e')];
  await settledGeneration([d, e]);
  await produce(['third-0', 'third-1', 'third-2', 'third-3']);
  await until(
    'the restarted consumers read the new records',
    () => d.consumed.length + e.consumed.length >= 4,
  );
  await sleep(300);
  const resumed = [...d.consumed, ...e.consumed].sort((x, y) => x.partition - y.partition);
  assert.deepEqual(
    resumed.map((r) => [r.partition, r.offset, r.value]),
    [
      [0, 15, 'third-0'],
      [1, 15, 'third-1'],
      [2, 15, 'third-2'],
      [3, 15, 'third-3'],
    ],
    'consumption resumed at the committed offsets, nothing re-read',
  );

  // Across every generation of the run: no partition was handed to two members of the same generation,
  // and every GROUP_JOIN a client reported matches what the broker delivered to that member.
  const generations = new Map<number, Map<number, string>>();
  for (const { generationId, memberId, partitions } of delivered) {
    const owners = generations.get(generationId) ?? new Map<number, string>();
    generations.set(generationId, owners);
    for (const partition of partitions) {
      const owner = owners.get(partition);
      assert.ok(
        owner === undefined || owner === memberId,
        `generation ${generationId}: partition ${partition} owned twice`,
      );
      owners.set(partition, memberId);
    }
  }
  assert.ok(generations.size >= 3, 'at least the three-, two- and restarted-member generations');
  for (const m of [a, b, c, d, e]) {
    for (const join of m.joins) {
      assert.ok(
        delivered.some(
          (x) =>
            x.memberId === join.memberId && JSON.stringify(x.partitions) === JSON.stringify(join.partitions),
        ),
        `${m.name}'s GROUP_JOIN assignment was delivered by the broker`,
      );
    }
  }
});
