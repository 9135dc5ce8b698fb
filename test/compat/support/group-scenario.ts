// One consumer-group scenario shared by every client's compat test, so that all clients are held to
// the same observable behaviour:
//   1. three members join a 4-partition topic: one Stable generation in which each partition has one
//      owner and every client was told what the broker delivered; each member reads only its partitions;
//   2. one member leaves: the two others take its partitions over, resuming where it committed;
//   3. everyone leaves: the committed offsets are the end of every partition; two fresh members resume
//      there and read only the records produced since;
//   and across all generations, SyncGroup never handed a partition to two members of one generation.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { produce } from '../../integration/data-path-helpers.ts';
import type { TestBroker } from '../../support/broker.ts';
import { KafkaSocket } from '../../support/kafka-socket.ts';
import {
  assertOneOwnerPerGeneration,
  type DeliveredAssignment,
  recordAssignments,
  stableAssignment,
} from './assignments.ts';
import { until } from './wait.ts';

/** A record as a member consumed it. */
export interface ConsumedRecord {
  partition: number;
  offset: number;
  value: string;
}

/** An assignment as a client reported it. */
export interface Join {
  memberId: string | null;
  partitions: number[];
}

/** One running group member, driven by a real client. */
export interface ScenarioMember {
  readonly name: string;
  /** Partitions of the topic the client last said it owns; null before its first assignment. */
  readonly assigned: number[] | null;
  /** The member id the client reports, or null when the client does not expose it. */
  readonly memberId: string | null;
  /** Every assignment the client reported, in order, with the member id it had then (when known). */
  readonly joins: readonly Join[];
  /** Every record the client handed to the application (after committing it, where it commits each). */
  readonly consumed: ConsumedRecord[];
  /** Leaves the group cleanly (committing what was consumed) and stops. */
  stop(): Promise<void>;
  /** Stops at once, for cleanup after a failure. */
  kill(): void;
}

/** What a client's test provides: a broker and a way to start a member of `group` on `topic`. */
export interface GroupScenarioOptions {
  broker: TestBroker;
  group: string;
  topic: string;
  /** Starts a member subscribed to `topic` in `group`, from the earliest offset when none is committed. */
  start(name: string): ScenarioMember | Promise<ScenarioMember>;
  /** How long each convergence may take. */
  timeoutMs?: number;
  /**
   * For clients that hand over records from a fetch sent under the previous generation (platformatic
   * 2.12 does; the other clients here were not seen to): how long such a fetch may still be in flight.
   * The scenario waits this long after each rebalance before producing. Kafka's Fetch does not check
   * group ownership, so this is the client's race, not the broker's.
   */
  staleFetchMs?: number;
}

/** The scenario topics' partitions. */
export const PARTITIONS = [0, 1, 2, 3];
/** A record's identity within the topic, `partition@offset`. */
export const key = (r: { partition: number; offset: number }) => `${r.partition}@${r.offset}`;
/** Who owned and read what, for failure messages. */
export const report = (members: readonly ScenarioMember[]) =>
  members
    .map((m) => `${m.name}: joins ${JSON.stringify(m.joins)}, read ${m.consumed.map(key).join(' ')}`)
    .join('\n');

/**
 * Produces `count` records named `prefix-i`, record i to partition i mod 4, one batch per partition.
 */
export async function produceSpread(
  socket: KafkaSocket,
  topic: string,
  prefix: string,
  count: number,
): Promise<void> {
  for (const partition of PARTITIONS) {
    const values = [];
    for (let i = partition; i < count; i += PARTITIONS.length) {
      values.push({ value: Buffer.from(`${prefix}-${i}`), timestamp: Date.now() });
    }
    const answer = await produce(socket, topic, partition, values);
    assert.equal(answer.errorCode, 0);
  }
}

/**
 * Waits for a Stable generation of exactly `live` in which every client says it owns what the broker
 * assigned it, then checks each partition has exactly one owner. Waits `quietMs` more before returning
 * (see `staleFetchMs`).
 */
export async function waitForAgreement(
  broker: TestBroker,
  group: string,
  topic: string,
  live: readonly ScenarioMember[],
  timeoutMs: number,
  quietMs = 0,
): Promise<void> {
  let owners: Map<string, number[]> | null = null;
  const agrees = () => {
    owners = stableAssignment(broker, group, topic);
    if (owners === null || owners.size !== live.length) return false;
    if (live.some((m) => m.assigned === null)) return false;
    const fromBroker = [...owners.values()].map((p) => JSON.stringify(p)).sort();
    const fromClients = live.map((m) => JSON.stringify(m.assigned)).sort();
    return (
      JSON.stringify(fromBroker) === JSON.stringify(fromClients) &&
      live.every(
        (m) => m.memberId === null || JSON.stringify(owners?.get(m.memberId)) === JSON.stringify(m.assigned),
      )
    );
  };
  const names = live.map((m) => m.name).join(', ');
  await until(`a Stable generation of ${names} that every client agrees with`, agrees, timeoutMs);
  await sleep(quietMs);
  const all = [...(owners as unknown as Map<string, number[]>).values()].flat().sort();
  assert.deepEqual(all, PARTITIONS, 'each partition has exactly one owner in the generation');
}

/** Fails unless every assignment a client acted on is one the broker delivered (to that member, when known). */
export function assertJoinsDelivered(
  members: readonly ScenarioMember[],
  delivered: readonly DeliveredAssignment[],
): void {
  for (const m of members) {
    for (const join of m.joins) {
      const same = (d: DeliveredAssignment) =>
        (join.memberId === null || d.memberId === join.memberId) &&
        JSON.stringify(d.partitions) === JSON.stringify(join.partitions);
      assert.ok(
        delivered.some(same),
        `${m.name} acted on ${JSON.stringify(join)}, which the broker never sent`,
      );
    }
  }
}

/** Runs the scenario above; fails with an assertion naming the step that went wrong. */
export async function runGroupScenario(options: GroupScenarioOptions): Promise<void> {
  const { broker, group, topic } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  await broker.state.topics.createTopic(topic, { partitions: PARTITIONS.length });
  const delivered = recordAssignments(broker, topic);
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  const members: ScenarioMember[] = [];
  const start = async (name: string) => {
    const member = await options.start(name);
    members.push(member);
    return member;
  };
  const produceRound = (prefix: string, count: number) => produceSpread(socket, topic, prefix, count);
  const settled = (live: ScenarioMember[]) =>
    waitForAgreement(broker, group, topic, live, timeoutMs, options.staleFetchMs);
  const consumedWith = (live: ScenarioMember[], prefix: string) =>
    live.flatMap((m) => m.consumed.filter((r) => r.value.startsWith(`${prefix}-`)));

  try {
    // 1. Three members.
    const [a, b, c] = [await start('a'), await start('b'), await start('c')];
    await settled([a, b, c]);
    await produceRound('first', 40);
    await until(
      '40 records consumed by a, b and c',
      () => consumedWith([a, b, c], 'first').length >= 40,
      timeoutMs,
    );
    for (const m of [a, b, c]) {
      for (const r of m.consumed) {
        assert.ok(m.assigned?.includes(r.partition), `${m.name} read partition ${r.partition}, not its own`);
      }
    }

    // 2. c leaves; a and b take its partitions over where c committed.
    await c.stop();
    await settled([a, b]);
    await produceRound('second', 20);
    await until(
      'a and b consume the 20 new records',
      () => consumedWith([a, b], 'second').length >= 20,
      timeoutMs,
    );
    const taken = consumedWith([a, b], 'second').map((r) => r.partition);
    assert.deepEqual([...new Set(taken)].sort(), PARTITIONS, 'the partitions c left were taken over');
    const everything = [a, b, c].flatMap((m) => m.consumed);
    assert.equal(
      new Set(everything.map(key)).size,
      everything.length,
      `no record was read twice\n${report([a, b, c])}`,
    );
    assert.equal(everything.length, 60);

    // 3. Everyone leaves; the commits cover everything read; fresh members resume there.
    await Promise.all([a.stop(), b.stop()]);
    const committed = broker.state.groups.fetchOffsets({
      groupId: group,
      topics: [{ name: topic, partitionIndexes: PARTITIONS }],
      requireStable: false,
    });
    assert.deepEqual(
      committed.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset]),
      PARTITIONS.map((p) => [p, 15]),
      'every consumed record was committed',
    );
    const [d, e] = [await start('d'), await start('e')];
    await settled([d, e]);
    await produceRound('third', 4);
    await until('d and e read the new records', () => d.consumed.length + e.consumed.length >= 4, timeoutMs);
    await sleep(300);
    assert.deepEqual(
      [...d.consumed, ...e.consumed]
        .sort((x, y) => x.partition - y.partition)
        .map((r) => [r.partition, r.offset, r.value]),
      PARTITIONS.map((p) => [p, 15, `third-${p}`]),
      `consumption resumed at the committed offsets, nothing re-read\n${report([d, e])}`,
    );
    await Promise.all([d.stop(), e.stop()]);

    const generations = assertOneOwnerPerGeneration(delivered);
    assert.ok(generations >= 3, `at least the 3-, 2- and restarted-member generations (saw ${generations})`);
    assertJoinsDelivered(members, delivered);
  } finally {
    for (const m of members) m.kill();
    socket.close();
  }
}
