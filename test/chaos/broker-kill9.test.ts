// kill -9 of the broker process under load, in fsync mode: every record a producer saw acknowledged
// (acks=all) must be readable after restart, each offset holding one value, and producers and consumer
// groups must carry on against the restarted broker.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { createTopic, withAdmin } from '../../src/kafka/admin.ts';
import { consumeValues } from '../../src/kafka/console.ts';
import { freePort, killHard, startBrokerProcess } from './broker-process.ts';

const TOPIC = 'kill9';
const ROUNDS = Number(process.env.EDDY_CHAOS_ROUNDS ?? 3);

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

test('kill -9 of the broker in fsync mode loses no acknowledged record', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-kill9-'));
  const port = await freePort();
  const acked: string[] = [];
  let broker = await startBrokerProcess(dataDir, port, 'fsync');
  try {
    await withAdmin({ bootstrap: broker.bootstrap }, (admin) => createTopic(admin, TOPIC, 3, {}));
    for (let round = 0; round < ROUNDS; round++) {
      const stop = { now: false };
      const producing = produceUntilStopped(broker.bootstrap, `r${round}`, acked, stop);
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 800));
      await killHard(broker);
      stop.now = true;
      await producing;
      broker = await startBrokerProcess(dataDir, port, 'fsync');
    }
    assert.ok(acked.length > 0, 'the producer got acknowledgements before the kills');

    // The restarted broker takes new writes as well.
    const after: string[] = [];
    const stop = { now: false };
    const producing = produceUntilStopped(broker.bootstrap, 'after', after, stop);
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.now = true;
    await producing;
    assert.ok(after.length > 0, 'producing works after the restarts');

    const counts = new Map<string, number>();
    await consumeValues(
      { bootstrap: broker.bootstrap, topic: TOPIC, fromBeginning: true, timeoutMs: 3_000 },
      (v) => {
        counts.set(v ?? '', (counts.get(v ?? '') ?? 0) + 1);
      },
    );
    const missing = [...acked, ...after].filter((value) => !counts.has(value));
    assert.deepEqual(
      missing.slice(0, 10),
      [],
      `${missing.length} of ${acked.length + after.length} acknowledged records are missing`,
    );
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([value]) => value);
    assert.deepEqual(duplicated.slice(0, 10), [], `${duplicated.length} records were stored twice`);
  } finally {
    await killHard(broker);
    await rm(dataDir, { recursive: true, force: true });
  }
});
