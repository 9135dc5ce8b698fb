// kill -9 of the broker process under load, in fsync mode: every record a producer saw acknowledged
// (acks=all) must be readable after restart, each offset holding one value, and producers and consumer
// groups must carry on against the restarted broker. A group member consumes and commits throughout:
// no commit the broker acknowledged may be lost in a crash (the committed offset never goes back, and
// the member resumes at or after it), and in the end the member has read every acknowledged record
// (at-least-once: it may read some twice after a crash, but never skip one).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { consumeValues } from '../../src/kafka/console.ts';
import { freePort, killHard, startBrokerProcess } from './broker-process.ts';
import { checkHistory, describeViolations } from './checker.ts';
import { GroupMember } from './group-member.ts';

const TOPIC = 'kill9';
const GROUP = 'kill9-member';
const PARTITIONS = 3;
const ROUNDS = Number(process.env.EDDY_CHAOS_ROUNDS ?? 3);

/** Per partition, the group's committed offset and the log end offset, as the broker reports them. */
async function groupPosition(bootstrap: string) {
  return withAdmin({ bootstrap }, async (admin) => {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [GROUP] });
    const committed = new Map<number, number>();
    for (const topic of group?.topics ?? []) {
      for (const p of topic.partitions) committed.set(p.partitionIndex, Number(p.committedOffset));
    }
    const [listed] = await admin.listOffsets({
      topics: [
        {
          name: TOPIC,
          partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({
            partitionIndex,
            timestamp: -1n,
          })),
        },
      ],
    });
    const end = new Map(listed.partitions.map((p) => [p.partitionIndex, Number(p.offset)]));
    return { committed, end };
  });
}

/** Partitions whose committed offset is below the one acknowledged before the crash, described. */
function lostCommits(acknowledged: ReadonlyMap<number, number>, committed: ReadonlyMap<number, number>) {
  return [...acknowledged]
    .filter(([p, offset]) => (committed.get(p) ?? -1) < offset)
    .map(([p, offset]) => `partition ${p}: acknowledged ${offset}, committed ${committed.get(p) ?? 'none'}`);
}

/** Produces numbered records until `stop` is set, recording every acknowledged value. */
async function produceUntilStopped(
  bootstrap: string,
  prefix: string,
  acked: string[],
  stop: { now: boolean },
) {
  const producer = new Producer({
    clientId: `kill9-${prefix}`,
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    // No client retries: a retried batch could be stored twice, and this test also checks for duplicates.
    retries: 0,
    timeout: 2_000,
  });
  let i = 0;
  try {
    while (!stop.now) {
      const batch = Array.from({ length: 20 }, () => ({
        topic: TOPIC,
        key: `k${i % 7}`,
        value: `${prefix}-${i++}`,
      }));
      try {
        await producer.send({ messages: batch, acks: -1 });
      } catch {
        // The broker died mid-request: this batch was not acknowledged, so it may or may not be stored.
        return;
      }
      acked.push(...batch.map((m) => m.value));
    }
  } finally {
    await producer.close(true).catch(() => {});
  }
}

test('kill -9 of the broker in fsync mode loses no acknowledged record or commit', {
  timeout: 120_000,
}, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-kill9-'));
  const port = await freePort();
  const acked: string[] = [];
  const commitsLost: string[] = [];
  let broker = await startBrokerProcess(dataDir, port, 'fsync');
  const member = new GroupMember({ bootstrap: broker.bootstrap, topic: TOPIC, groupId: GROUP });
  // After a restart the member's client finds the restarted broker by itself (its heartbeats are
  // answered again). After odd rounds it is then replaced by a new member (the old one leaves first, so
  // no rebalance waits for its session), which must resume from the commits that survived the crash;
  // the producers are stopped meanwhile, so the old client cannot commit anything newer first.
  const afterRestart = async (round: number) => {
    const heartbeats = member.heartbeats;
    const back = await member.waitUntil(() => member.heartbeats > heartbeats, 15_000);
    assert.ok(back, `round ${round}: the member is not back in the group (${member.errors.slice(-3)})`);
    if (round % 2 === 1) await member.restart();
  };
  // During the next round: the member, old or new, reads the new records.
  const memberReads = async (phase: string) => {
    const before = member.consumed.length;
    const progressed = await member.waitUntil(() => member.consumed.length > before, 15_000);
    assert.ok(progressed, `${phase}: the member read nothing after the restart (${member.errors.slice(-3)})`);
  };
  try {
    await withAdmin({ bootstrap: broker.bootstrap }, (admin) => createTopic(admin, TOPIC, PARTITIONS, {}));
    member.start();
    for (let round = 0; round < ROUNDS; round++) {
      const stop = { now: false };
      const producing = produceUntilStopped(broker.bootstrap, `r${round}`, acked, stop);
      if (round > 0) await memberReads(`round ${round}`);
      // Let the member catch up and commit before the crash, so there are commits to lose.
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 800));
      await killHard(broker);
      const acknowledgedAtKill = new Map(member.acknowledged);
      stop.now = true;
      await producing;
      broker = await startBrokerProcess(dataDir, port, 'fsync');
      const { committed } = await groupPosition(broker.bootstrap);
      for (const lost of lostCommits(acknowledgedAtKill, committed))
        commitsLost.push(`round ${round}: ${lost}`);
      await afterRestart(round);
    }
    assert.ok(acked.length > 0, 'the producer got acknowledgements before the kills');

    // The restarted broker takes new writes as well.
    const after: string[] = [];
    const stop = { now: false };
    const producing = produceUntilStopped(broker.bootstrap, 'after', after, stop);
    await memberReads('after the last restart');
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.now = true;
    await producing;
    assert.ok(after.length > 0, 'producing works after the restarts');
    const all = [...acked, ...after];

    const counts = new Map<string, number>();
    await consumeValues(
      { bootstrap: broker.bootstrap, topic: TOPIC, fromBeginning: true, timeoutMs: 3_000 },
      (v) => {
        counts.set(v ?? '', (counts.get(v ?? '') ?? 0) + 1);
      },
    );
    const missing = all.filter((value) => !counts.has(value));
    assert.deepEqual(
      missing.slice(0, 10),
      [],
      `${missing.length} of ${all.length} acknowledged records are missing`,
    );
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([value]) => value);
    assert.deepEqual(duplicated.slice(0, 10), [], `${duplicated.length} records were stored twice`);

    // The group member: every commit acknowledged before a crash survived it ...
    assert.deepEqual(commitsLost, [], 'acknowledged commits lost in a crash');
    // ... each new member resumed at or after the commits acknowledged before it started ...
    const replaced = Math.floor(ROUNDS / 2);
    assert.ok(
      member.resumes.length > replaced,
      `the member was replaced ${replaced} times (${member.resumes.length} starts)`,
    );
    const rewound = member.resumes.flatMap((resume, i) =>
      [...resume.firstOffsets]
        .filter(([p, first]) => first < (resume.committedBefore.get(p) ?? 0))
        .map(
          ([p, first]) =>
            `start ${i}, partition ${p}: read ${first}, committed ${resume.committedBefore.get(p)}`,
        ),
    );
    assert.deepEqual(rewound, [], 'the member resumed before offsets it had committed');
    // ... and in the end it has read every acknowledged record (duplicates allowed) and committed it all.
    const unread = new Set(all);
    let seen = 0;
    const readAll = await member.waitUntil(() => {
      for (; seen < member.consumed.length; seen++) unread.delete(member.consumed[seen].value);
      return unread.size === 0;
    }, 20_000);
    const violations = checkHistory({ acked: all, consumed: member.consumed }, { allowDuplicates: true });
    assert.equal(
      describeViolations(violations),
      '',
      `the group member's history (${member.consumed.length} records read, ${member.resumes.length} starts; ` +
        `read all: ${readAll}; last errors: ${member.errors.slice(-3).join(' / ')})`,
    );
    let position = await groupPosition(broker.bootstrap);
    for (let i = 0; i < 40 && [...position.end].some(([p, end]) => position.committed.get(p) !== end); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      position = await groupPosition(broker.bootstrap);
    }
    assert.deepEqual(position.committed, position.end, 'the member committed everything it read');
  } finally {
    await member.stop();
    await killHard(broker);
    await rm(dataDir, { recursive: true, force: true });
  }
});
