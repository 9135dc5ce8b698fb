// A consumer-group member that dies without leaving (SIGKILL: no LeaveGroup, no last commit): the
// broker must notice when its session times out, rebalance, and the survivors must resume each of its
// partitions at what it had committed. For clients run as processes, whose `kill()` is a real crash.
import assert from 'node:assert/strict';
import { KafkaSocket } from '../../support/kafka-socket.ts';
import { assertOneOwnerPerGeneration, recordAssignments } from './assignments.ts';
import {
  assertJoinsDelivered,
  type GroupScenarioOptions,
  key,
  PARTITIONS,
  produceSpread,
  report,
  type ScenarioMember,
  waitForAgreement,
} from './group-scenario.ts';
import { until } from './wait.ts';

/**
 * Three members share a 4-partition topic and read 20 records; one is killed; after its session times
 * out the other two own every partition and read the next 20; no record is read twice or lost, and the
 * commits end at 10 per partition. `start` should give members a short session timeout.
 */
export async function runCrashScenario(options: GroupScenarioOptions): Promise<void> {
  const { broker, group, topic } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  await broker.state.topics.createTopic(topic, { partitions: PARTITIONS.length });
  const delivered = recordAssignments(broker, topic);
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  const members: ScenarioMember[] = [];
  const committed = () =>
    broker.state.groups
      .fetchOffsets({
        groupId: group,
        topics: [{ name: topic, partitionIndexes: PARTITIONS }],
        requireStable: false,
      })
      .topics[0].partitions.map((p) => p.committedOffset);
  try {
    for (const name of ['a', 'b', 'c']) members.push(await options.start(name));
    const [a, b, c] = members;
    await waitForAgreement(broker, group, topic, members, timeoutMs);
    await produceSpread(socket, topic, 'before', 20);
    await until('20 records read', () => members.flatMap((m) => m.consumed).length >= 20, timeoutMs);

    // Clients that auto-commit on a timer (kcat: every 5 s) get to commit what they read: the crash
    // tested here loses a member, not its commits.
    await until('the 20 records committed', () => committed().every((offset) => offset === 5), timeoutMs);
    c.kill();
    await waitForAgreement(broker, group, topic, [a, b], timeoutMs);
    await produceSpread(socket, topic, 'after', 20);
    const after = () => [a, b].flatMap((m) => m.consumed.filter((r) => r.value.startsWith('after-')));
    await until('a and b read the 20 new records', () => after().length >= 20, timeoutMs);
    const everything = members.flatMap((m) => m.consumed);
    assert.deepEqual(
      [...new Set(everything.map(key))].length,
      40,
      `every record read once, none lost to the crash\n${report(members)}`,
    );
    assert.equal(everything.length, 40, `no record read twice\n${report(members)}`);

    await Promise.all([a.stop(), b.stop()]);
    assert.deepEqual(committed(), [10, 10, 10, 10], 'the commits end where the survivors stopped');
    assertOneOwnerPerGeneration(delivered);
    assertJoinsDelivered(members, delivered);
  } finally {
    for (const m of members) m.kill();
    socket.close();
  }
}
