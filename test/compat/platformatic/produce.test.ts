// @platformatic/kafka (the engine's own client) producing to the broker with every codec; records are
// read back with eddy's socket client and checked byte for byte, codec included.
import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { decodeRecordBatches } from '../../../src/protocol/record-batch/index.ts';
import { fetch, fetchBody } from '../../integration/data-path-helpers.ts';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { KafkaSocket } from '../../support/kafka-socket.ts';

const test = (name: string, fn: () => Promise<void>) => nodeTest(name, { timeout: 30_000 }, fn);

let broker: TestBroker;
let socket: KafkaSocket;

before(async () => {
  broker = await startTestBroker({ host: 'localhost' });
  socket = await KafkaSocket.open('127.0.0.1', broker.port);
});
after(async () => {
  socket.close();
  await broker.stop();
});

const CODECS = [
  ['none', 0],
  ['gzip', 1],
  ['snappy', 2],
  ['lz4', 3],
  ['zstd', 4],
] as const;

test('platformatic produces with every codec; keys, headers and null values arrive intact', async () => {
  const producer = new Producer({
    clientId: 'eddy-compat',
    bootstrapBrokers: [`localhost:${broker.port}`],
    serializers: stringSerializers,
    autocreateTopics: true,
  });
  try {
    for (const [codec, id] of CODECS) {
      const topic = `plat-${codec}`;
      const value = `${codec} `.repeat(100);
      const result = await producer.send({
        compression: codec,
        acks: -1,
        messages: [
          { topic, partition: 0, key: 'k1', value, headers: { h1: 'a', h2: 'b' } },
          { topic, partition: 0, key: 'k2', value: undefined },
        ],
      });
      assert.deepEqual(
        result.offsets?.map((o) => [o.topic, o.partition, Number(o.offset)]),
        [[topic, 0, 0]],
        codec,
      );
      const answer = await fetch(socket, fetchBody([{ topic, partition: 0, offset: 0 }]));
      const batches = decodeRecordBatches(answer.responses[0].partitions[0].records as Buffer);
      assert.deepEqual(
        batches.map((b) => b.compression),
        [id],
        `${codec} is stored as sent`,
      );
      assert.deepEqual(
        batches[0].records.map((r) => [
          r.offset,
          r.key?.toString(),
          r.value?.toString() ?? null,
          r.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value).toString()]),
        ]),
        [
          [
            0,
            'k1',
            value,
            [
              ['h1', 'a'],
              ['h2', 'b'],
            ],
          ],
          [1, 'k2', null, []],
        ],
      );
    }
  } finally {
    await producer.close();
  }
});
