// kafkajs 2.2.4 consumer groups against eddy's broker: three members share a 4-partition topic, each
// partition has exactly one owner per generation, a member leaves and the others take over, and
// restarted consumers resume from the committed offsets (the shared scenario in ../support).
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import {
  type ConsumedRecord,
  type Join,
  runGroupScenario,
  type ScenarioMember,
} from '../support/group-scenario.ts';

const TOPIC = 'group-orders';
const GROUP = 'kafkajs-group';

/** A kafkajs member; kafkajs commits what eachMessage has processed, and on disconnect. */
async function startMember(kafka: Kafka, name: string): Promise<ScenarioMember> {
  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 6000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
  });
  let assigned: number[] | null = null;
  let memberId: string | null = null;
  const consumed: ConsumedRecord[] = [];
  const joins: Join[] = [];
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    memberId = payload.memberId;
    assigned = [...(payload.memberAssignment[TOPIC] ?? [])].sort((x, y) => x - y);
    joins.push({ memberId, partitions: assigned });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      consumed.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
    },
  });
  return {
    name,
    get assigned() {
      return assigned;
    },
    get memberId() {
      return memberId;
    },
    consumed,
    joins,
    stop: () => consumer.disconnect(),
    kill() {
      consumer.disconnect().catch(() => undefined);
    },
  };
}

test('three kafkajs members join, leave and resume from committed offsets', { timeout: 30_000 }, async () => {
  const broker: TestBroker = await startTestBroker({ groups: { minSessionTimeoutMs: 1000 } });
  const kafka = new Kafka({
    clientId: 'compat',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50 },
  });
  try {
    await runGroupScenario({ broker, group: GROUP, topic: TOPIC, start: (name) => startMember(kafka, name) });
  } finally {
    await broker.stop();
  }
});
