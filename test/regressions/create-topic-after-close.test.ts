// Regression: a CreateTopics (or a Metadata auto-create) still in flight when the broker closed reached
// storage after the close had cleared its topic table, so an existing topic looked new: its partition
// directories were wiped and recreated empty, losing every record. Found by test/fuzz/broker-fuzz.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HANDLERS } from '../../src/broker/handlers/registry.ts';
import { createDispatcher } from '../../src/broker/server/dispatch.ts';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/index.ts';
import { CREATE_TOPICS_SCHEMA } from '../../src/protocol/messages/index.ts';
import {
  createTopic,
  fetch,
  fetchBody,
  fetchedValues,
  produce,
  records,
} from '../integration/data-path-helpers.ts';
import { startTestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';

test('a topic change arriving after close() leaves stored data alone', { timeout: 15_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eddy-regression-'));
  try {
    const broker = await startTestBroker({ dataDir });
    const socket = await KafkaSocket.open('127.0.0.1', broker.port);
    await createTopic(socket, 'orders');
    assert.equal((await produce(socket, 'orders', 0, records('a', 'b', 'c'))).errorCode, 0);
    socket.close();
    const dispatch = createDispatcher(HANDLERS, broker.state, broker.state.log);
    await broker.close();

    // The request a client sent just before the shutdown, answered by the broker's real request path.
    const topic = { name: 'orders', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] };
    const frame = encodeRequestFrame(
      CREATE_TOPICS_SCHEMA,
      { apiVersion: 7, correlationId: 1, clientId: 'late' },
      { topics: [topic], timeoutMs: 1000, validateOnly: false },
    );
    const info = {
      id: 1,
      remote: '127.0.0.1:1',
      closeAfterResponse: false,
      responsesWritten: async () => true,
    };
    const answer = await (await dispatch(frame.subarray(4), info)).response;
    assert.ok(answer !== null);
    const body = decodeResponseFrame<{ topics: { errorCode: number }[] }>(
      CREATE_TOPICS_SCHEMA,
      7,
      answer.subarray(4),
    );
    assert.notEqual(body.body.topics[0].errorCode, 0, 'a closed broker must not report a topic created');

    const reopened = await startTestBroker({ dataDir });
    const reader = await KafkaSocket.open('127.0.0.1', reopened.port);
    const fetched = await fetch(reader, fetchBody([{ topic: 'orders', partition: 0, offset: 0 }]));
    reader.close();
    await reopened.stop();
    assert.deepEqual(fetchedValues(fetched.responses[0].partitions[0]), [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
