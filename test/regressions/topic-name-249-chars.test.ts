// Regression: a topic name of 249 characters is valid in Kafka, but creating it failed with
// ENAMETOOLONG: the temp file of its metadata (`<name>.json.tmp`, 258 bytes) exceeds the 255-byte limit
// of a file name. The handler threw and the client's connection was dropped instead of answered.
// Found by test/fuzz/broker-fuzz.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createTopic,
  fetch,
  fetchBody,
  fetchedValues,
  produce,
  records,
} from '../integration/data-path-helpers.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';

test('a topic with a 249-character name is created, used and reopened', { timeout: 15_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-regression-'));
  const name = `t${'x'.repeat(247)}z`;
  assert.equal(name.length, 249);
  const brokers: TestBroker[] = [];
  const sockets: KafkaSocket[] = [];
  try {
    const broker = await startTestBroker({ dataDir });
    brokers.push(broker);
    const socket = await KafkaSocket.open('127.0.0.1', broker.port);
    sockets.push(socket);
    await createTopic(socket, name, 2);
    assert.equal((await produce(socket, name, 1, records('kept'))).errorCode, 0);
    socket.close();
    await broker.stop();

    const reopened = await startTestBroker({ dataDir });
    brokers.push(reopened);
    const reader = await KafkaSocket.open('127.0.0.1', reopened.port);
    sockets.push(reader);
    const answer = await fetch(reader, fetchBody([{ topic: name, partition: 1, offset: 0 }]));
    assert.deepEqual(fetchedValues(answer.responses[0].partitions[0]), [[0, 'kept']]);
  } finally {
    for (const socket of sockets) socket.close();
    for (const broker of brokers) await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
