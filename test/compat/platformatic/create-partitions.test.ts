// @platformatic/kafka's Admin.createPartitions against eddy's broker: a topic grows, a producer that
// already knew the topic writes to a new partition, and a consumer reads it; the errors a client sees
// for a count that is not an increase, and validateOnly changing nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Admin,
  Consumer,
  type Message,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';

let broker: TestBroker;
let admin: Admin;
let producer: Producer<string, string, string, string>;

before(async () => {
  broker = await startTestBroker();
  admin = new Admin({ clientId: 'compat-grow', bootstrapBrokers: [broker.bootstrap], retries: 0 });
  producer = new Producer({
    clientId: 'compat-grow-producer',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
  });
});
after(async () => {
  await producer.close();
  await admin.close();
  await broker.stop();
});

/** The error code of the first topic result inside the client's aggregate error. */
function errorCodeOf(error: AggregateError): number | undefined {
  const [inner] = error.errors as { response?: { results: { errorCode: number }[] } }[];
  return inner.response?.results[0].errorCode;
}

async function partitionCount(topic: string): Promise<number | undefined> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  return metadata.topics.get(topic)?.partitions.length;
}

async function readAll(topic: string, count: number): Promise<Message<string, string, string, string>[]> {
  const consumer = new Consumer({
    clientId: 'compat-grow-reader',
    groupId: `read-${topic}`,
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 100,
    autocommit: false,
  });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    const read: Message<string, string, string, string>[] = [];
    for await (const message of stream) {
      read.push(message);
      if (read.length === count) break;
    }
    await stream.close();
    return read;
  } finally {
    await consumer.close(true);
  }
}

test('platformatic createPartitions grows a topic that producers and consumers then use', {
  timeout: 30_000,
}, async () => {
  const topic = 'plat-grow';
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
  await producer.send({ messages: [{ topic, partition: 0, key: 'a', value: 'before' }] });

  await admin.createPartitions({ topics: [{ name: topic, count: 3 }] });
  assert.equal(await partitionCount(topic), 3);

  await assert.rejects(
    admin.createPartitions({ topics: [{ name: topic, count: 2 }] }),
    (error: AggregateError) => {
      assert.equal(errorCodeOf(error), 37); // INVALID_PARTITIONS
      return true;
    },
  );
  await assert.rejects(
    admin.createPartitions({ topics: [{ name: 'plat-grow-missing', count: 2 }] }),
    (error: AggregateError) => errorCodeOf(error) === 3, // UNKNOWN_TOPIC_OR_PARTITION
  );
  await admin.createPartitions({ topics: [{ name: topic, count: 8 }], validateOnly: true });
  await admin.createPartitions({
    topics: [{ name: topic, count: 4, assignments: [{ brokerIds: [broker.state.nodeId] }] }],
  });
  assert.equal(await partitionCount(topic), 4);

  // platformatic maps a partition number modulo the count in its cached metadata: a producer that knew
  // the topic before it grew must refresh, or partition 2 silently becomes 0.
  await producer.metadata({ topics: [topic], forceUpdate: true });
  const sent = await producer.send({ messages: [{ topic, partition: 2, key: 'b', value: 'after' }] });
  assert.deepEqual(
    sent.offsets?.map((o) => [o.partition, Number(o.offset)]),
    [[2, 0]],
  );
  const read = await readAll(topic, 2);
  assert.deepEqual(read.map((m) => [m.partition, Number(m.offset), m.value]).sort(), [
    [0, 0, 'before'],
    [2, 0, 'after'],
  ]);
});
