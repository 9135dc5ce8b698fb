// kafkajs 2.2.4 against eddy's broker: produce with keys, headers (repeated keys, empty and binary
// values; kafkajs cannot send a null header value) and null values, uncompressed and with gzip (the only codec kafkajs ships; snappy, lz4 and zstd need
// third-party codec packages), and consume it all back with a kafkajs consumer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompressionTypes, type IHeaders, Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { storedCodecs } from '../support/stored.ts';
import { until } from '../support/wait.ts';

let broker: TestBroker;
let kafka: Kafka;

before(async () => {
  broker = await startTestBroker();
  kafka = new Kafka({ clientId: 'compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
});
after(async () => {
  await broker.stop();
});

interface Seen {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string | string[] | null>;
}

/** Header values as text, or `0x…` hex when the bytes are not UTF-8. */
function readHeaders(headers: IHeaders | undefined): Record<string, string | string[] | null> {
  const text = (v: Buffer | string) => {
    const bytes = Buffer.from(v);
    return Buffer.from(bytes.toString()).equals(bytes) ? bytes.toString() : `0x${bytes.toString('hex')}`;
  };
  const out: Record<string, string | string[] | null> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (Array.isArray(value)) out[name] = value.map(text);
    else out[name] = value === undefined ? null : text(value);
  }
  return out;
}

for (const [codec, compression, id] of [
  ['none', CompressionTypes.None, 0],
  ['gzip', CompressionTypes.GZIP, 1],
] as const) {
  test(`kafkajs ${codec}: keys, headers and null values round-trip`, { timeout: 20_000 }, async () => {
    const topic = `kafkajs-${codec}`;
    const value = `${codec} `.repeat(200);
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const [answer] = await producer.send({
        topic,
        acks: -1,
        compression,
        messages: [
          { key: 'k1', value, partition: 0, headers: { h1: 'a', multi: ['x', 'y'] } },
          { key: 'k2', value: null, partition: 0, headers: { h1: 'b' } },
          { key: null, value: `${value}!`, partition: 0, headers: { empty: '', bin: Buffer.from([0, 255]) } },
        ],
      });
      assert.equal(answer.errorCode, 0);
      assert.equal(answer.baseOffset, '0');
    } finally {
      await producer.disconnect();
    }
    assert.deepEqual(await storedCodecs(broker, topic), [id], `stored as one ${codec} batch`);

    const seen: Seen[] = [];
    const consumer = kafka.consumer({ groupId: `read-${codec}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: readHeaders(message.headers),
          });
        },
      });
      await until('three records', () => seen.length >= 3);
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(seen, [
      { partition: 0, offset: '0', key: 'k1', value, headers: { h1: 'a', multi: ['x', 'y'] } },
      { partition: 0, offset: '1', key: 'k2', value: null, headers: { h1: 'b' } },
      { partition: 0, offset: '2', key: null, value: `${value}!`, headers: { empty: '', bin: '0x00ff' } },
    ]);
  });
}
