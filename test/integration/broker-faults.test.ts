// Fault injection over a real socket: each action does what it says, and only to the requests it names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultInjector } from '../../src/broker/index.ts';
import { HEARTBEAT_SCHEMA } from '../../src/protocol/messages/index.ts';
import { startTestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic, fetch, fetchBody, fetchedValues, produce, records } from './data-path-helpers.ts';

test('error-response, close-before and delay-response act on matching requests only', async () => {
  const faults = new FaultInjector();
  const broker = await startTestBroker({ faults });
  let socket = await KafkaSocket.open('127.0.0.1', broker.port);
  const stored = async (topic: string) =>
    fetchedValues(
      (await fetch(socket, fetchBody([{ topic, partition: 0, offset: 0 }]))).responses[0].partitions[0],
    );
  try {
    await createTopic(socket, 'f1');
    await createTopic(socket, 'f2');

    faults.add({ apiKey: 0, topic: 'f1', action: { type: 'error-response', errorCode: 6 }, count: 1 });
    const refused = await produce(socket, 'f1', 0, records('a'));
    assert.deepEqual([refused.errorCode, refused.baseOffset], [6, -1]);
    assert.deepEqual(await stored('f1'), [], 'an injected error runs nothing');
    assert.equal((await produce(socket, 'f2', 0, records('other topic'))).errorCode, 0);
    assert.equal((await produce(socket, 'f1', 0, records('a'))).baseOffset, 0, 'count: 1 is used up');

    faults.add({ apiKey: 0, action: { type: 'close-before' }, count: 1 });
    await assert.rejects(produce(socket, 'f1', 0, records('b')), /connection closed/);
    socket = await KafkaSocket.open('127.0.0.1', broker.port);
    assert.deepEqual(
      (await stored('f1')).map(([, v]) => v),
      ['a'],
      'close-before appends nothing',
    );

    faults.add({ apiKey: 12, action: { type: 'error-response', errorCode: 27 }, count: 1 });
    const heartbeat = await socket.request<{ errorCode: number }>(HEARTBEAT_SCHEMA, 4, {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
    });
    assert.equal(heartbeat.errorCode, 27);

    faults.add({ apiKey: 0, action: { type: 'delay-response', ms: 150 }, count: 1 });
    const started = performance.now();
    const late = await produce(socket, 'f1', 0, records('c'));
    assert.equal(late.baseOffset, 1);
    assert.ok(performance.now() - started >= 140, 'answered after the delay');
    assert.deepEqual(faults.hits(), [1, 1, 1, 1]);
  } finally {
    socket.close();
    await broker.stop();
  }
});
