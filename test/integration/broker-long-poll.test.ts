// Fetch long polling: wakes on append, times out, never blocks other connections.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { METADATA_SCHEMA } from '../../src/protocol/messages/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic, fetch, fetchBody, fetchedValues, produce, records } from './data-path-helpers.ts';

let broker: TestBroker;
const sockets: KafkaSocket[] = [];

async function connect(): Promise<KafkaSocket> {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  sockets.push(socket);
  return socket;
}

before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  for (const socket of sockets) socket.close();
  await broker.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a long poll wakes as soon as another connection appends', async () => {
  const consumer = await connect();
  const producer = await connect();
  await createTopic(producer, 'wake', 2);
  const started = Date.now();
  const polling = fetch(
    consumer,
    fetchBody(
      [
        { topic: 'wake', partition: 0, offset: 0 },
        { topic: 'wake', partition: 1, offset: 0 },
      ],
      { maxWaitMs: 10_000, minBytes: 1 },
    ),
  );
  await sleep(150);
  await produce(producer, 'wake', 1, records('hello'));
  const answer = await polling;
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 5_000, `answered after ${elapsed} ms`);
  assert.deepEqual(fetchedValues(answer.responses[0].partitions[1]), [[0, 'hello']]);
});

test('a long poll with nothing to read answers empty after maxWaitMs', async () => {
  const consumer = await connect();
  await createTopic(consumer, 'quiet');
  const started = Date.now();
  const answer = await fetch(
    consumer,
    fetchBody([{ topic: 'quiet', partition: 0, offset: 0 }], { maxWaitMs: 300, minBytes: 1 }),
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 3_000, `answered after ${elapsed} ms`);
  assert.equal(answer.responses[0].partitions[0].records?.length ?? 0, 0);
});

test('minBytes keeps the poll waiting until enough bytes arrived', async () => {
  const consumer = await connect();
  const producer = await connect();
  await createTopic(producer, 'enough');
  const polling = fetch(
    consumer,
    fetchBody([{ topic: 'enough', partition: 0, offset: 0 }], { maxWaitMs: 10_000, minBytes: 2_000 }),
  );
  let done = false;
  void polling.then(() => {
    done = true;
  });
  await produce(producer, 'enough', 0, records('small'));
  await sleep(100);
  assert.equal(done, false, 'one small batch is below minBytes');
  await produce(producer, 'enough', 0, records('x'.repeat(3_000)));
  const answer = await polling;
  assert.equal(fetchedValues(answer.responses[0].partitions[0]).length, 2);
});

test('other connections are answered at once while one connection long-polls', async () => {
  const consumer = await connect();
  const other = await connect();
  await createTopic(other, 'busy');
  const polling = fetch(
    consumer,
    fetchBody([{ topic: 'busy', partition: 0, offset: 0 }], { maxWaitMs: 2_000, minBytes: 1 }),
  );
  await sleep(50);
  const started = Date.now();
  await other.request(METADATA_SCHEMA, 1, { topics: null });
  assert.ok(Date.now() - started < 500, 'metadata answered while the fetch sleeps');
  await polling;
});

test('deleting a topic wakes its long polls with UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const consumer = await connect();
  await createTopic(consumer, 'doomed');
  const started = Date.now();
  const polling = fetch(
    consumer,
    fetchBody([{ topic: 'doomed', partition: 0, offset: 0 }], { maxWaitMs: 10_000 }),
  );
  await sleep(50);
  await broker.state.topics.deleteTopic('doomed');
  const answer = await polling;
  assert.equal(answer.responses[0].partitions[0].errorCode, 3);
  assert.ok(Date.now() - started < 5_000);
});

test('closing the broker does not wait for long polls', async () => {
  const other = await startTestBroker();
  const consumer = await KafkaSocket.open('127.0.0.1', other.port);
  try {
    await createTopic(consumer, 'closing');
    void fetch(
      consumer,
      fetchBody([{ topic: 'closing', partition: 0, offset: 0 }], { maxWaitMs: 30_000 }),
    ).catch(() => undefined);
    await sleep(50);
    const started = Date.now();
    await other.stop();
    assert.ok(Date.now() - started < 5_000);
  } finally {
    consumer.close();
  }
});

test('in fsync mode acknowledged records are readable and a poll wakes after the flush', async () => {
  const durable = await startTestBroker({ durability: 'fsync' });
  const consumer = await KafkaSocket.open('127.0.0.1', durable.port);
  const producer = await KafkaSocket.open('127.0.0.1', durable.port);
  try {
    await createTopic(producer, 'synced');
    const polling = fetch(
      consumer,
      fetchBody([{ topic: 'synced', partition: 0, offset: 0 }], { maxWaitMs: 10_000 }),
    );
    await sleep(50);
    for (const acks of [1, -1])
      assert.equal((await produce(producer, 'synced', 0, records(`acks${acks}`), { acks })).errorCode, 0);
    assert.ok(fetchedValues((await polling).responses[0].partitions[0]).length >= 1);
    const all = await fetch(consumer, fetchBody([{ topic: 'synced', partition: 0, offset: 0 }]));
    assert.deepEqual(fetchedValues(all.responses[0].partitions[0]), [
      [0, 'acks1'],
      [1, 'acks-1'],
    ]);
  } finally {
    consumer.close();
    producer.close();
    await durable.stop();
  }
});
