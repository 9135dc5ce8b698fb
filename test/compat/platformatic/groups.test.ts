// @platformatic/kafka consumer groups (classic protocol) against eddy's broker: three members join and
// leave, each partition has one owner per generation, and committed offsets resume.
import { test } from 'node:test';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import {
  type ConsumedRecord,
  type Join,
  runGroupScenario,
  type ScenarioMember,
} from '../support/group-scenario.ts';

const GROUP = 'plat-group';
const TOPIC = 'plat-orders';

/** A member that commits each record before counting it consumed. */
async function startMember(broker: TestBroker, name: string): Promise<ScenarioMember> {
  const consumer = new Consumer({
    clientId: `compat-${name}`,
    groupId: GROUP,
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
    sessionTimeout: 6000,
    heartbeatInterval: 200,
    maxWaitTime: 100,
    autocommit: false,
  });
  let assigned: number[] | null = null;
  let memberId: string | null = null;
  const consumed: ConsumedRecord[] = [];
  const joins: Join[] = [];
  consumer.on('consumer:group:join', (payload) => {
    memberId = payload.memberId;
    const mine = payload.assignments?.find((a) => a.topic === TOPIC)?.partitions ?? [];
    assigned = [...mine].sort((x, y) => x - y);
    joins.push({ memberId, partitions: assigned });
  });
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest' });
  const reading = (async () => {
    for await (const message of stream) {
      await message.commit();
      consumed.push({
        partition: message.partition,
        offset: Number(message.offset),
        value: message.value ?? '',
      });
    }
  })();
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
    async stop() {
      await stream.close();
      await reading;
      await consumer.close();
    },
    kill() {
      consumer.close(true).catch(() => undefined);
    },
  };
}

test('three platformatic members join, leave and resume from committed offsets', {
  timeout: 30_000,
}, async () => {
  const broker = await startTestBroker({ groups: { minSessionTimeoutMs: 1000 } });
  try {
    await runGroupScenario({
      broker,
      group: GROUP,
      topic: TOPIC,
      start: (name) => startMember(broker, name),
      // platformatic hands over records of a fetch sent before a rebalance (maxWaitTime 100 ms + slack).
      staleFetchMs: 500,
    });
  } finally {
    await broker.stop();
  }
});
