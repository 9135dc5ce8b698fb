// @platformatic/kafka reading from eddy's broker: records its producer wrote with every codec (keys,
// headers, null values) come back exactly through its consumer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Consumer,
  type Message,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { CODEC_IDS, storedCodecs } from '../support/stored.ts';

let broker: TestBroker;
let producer: Producer<string, string, string, string>;

before(async () => {
  broker = await startTestBroker();
  producer = new Producer({
    clientId: 'compat-producer',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
    autocreateTopics: true,
  });
});
after(async () => {
  await producer.close();
  await broker.stop();
});

/** The first `count` records of a topic, read from the earliest offset. */
async function readBack(topic: string, count: number): Promise<Message<string, string, string, string>[]> {
  const consumer = new Consumer({
    clientId: 'compat-reader',
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

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`platformatic consumes what it produced with ${codec}`, { timeout: 20_000 }, async () => {
    const topic = `plat-read-${codec}`;
    const value = `${codec} `.repeat(100);
    await producer.send({
      compression: codec,
      acks: -1,
      messages: [
        {
          topic,
          partition: 0,
          key: 'k1',
          value,
          headers: new Map([
            ['h1', 'a'],
            ['h2', ''],
          ]),
        },
        { topic, partition: 0, key: 'k2', value: undefined },
        { topic, partition: 0, value: `${value}!`, headers: { h3: 'c' } },
      ],
    });
    assert.deepEqual(await storedCodecs(broker, topic), [CODEC_IDS[codec]]);
    const read = await readBack(topic, 3);
    assert.deepEqual(
      read.map((m) => [m.partition, Number(m.offset), m.key, m.value, [...m.headers.entries()]]),
      [
        [
          0,
          0,
          'k1',
          value,
          [
            ['h1', 'a'],
            ['h2', ''],
          ],
        ],
        [0, 1, 'k2', undefined, []],
        [0, 2, undefined, `${value}!`, [['h3', 'c']]],
      ],
    );
  });
}
