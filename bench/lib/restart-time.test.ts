import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { startTestBroker } from '../../test/support/broker.ts';
import { fetchProbe } from './fetch-probe.ts';
import { startupPhases } from './restart-time.ts';

test('startup phases are read from the broker log lines, relative to the spawn', () => {
  const log = [
    'not json',
    '{"level":30,"time":1000450,"msg":"group coordinator loaded","groups":0}',
    '{"level":30,"time":1000700,"partitions":4,"batchesReplayed":1009,"ms":240,"msg":"producer state loaded"}',
    '{"level":30,"msg":"no time"}',
    '{broken',
    '{"level":30,"time":1000712,"msg":"broker started"}',
  ].join('\n');
  assert.deepEqual(startupPhases(log, 1000000), {
    logsAndGroupsLoadedMs: 450,
    producerStateMs: 240,
    batchesReplayed: 1009,
    startedMs: 712,
  });
  assert.deepEqual(startupPhases('', 0), {});
});

test('the fetch probe reports each partition high watermark and the bytes it read', async () => {
  const broker = await startTestBroker();
  const producer = new Producer({
    clientId: 'probe-test',
    bootstrapBrokers: [broker.bootstrap],
    serializers: stringSerializers,
  });
  try {
    await broker.state.topics.createTopic('probed', { partitions: 2 });
    await producer.send({
      messages: [0, 1, 2].map((i) => ({ topic: 'probed', partition: 1, value: `v${i}` })),
      acks: -1,
    });
    const answer = await fetchProbe('127.0.0.1', broker.port, 'probed', [0, 1]);
    assert.deepEqual(
      answer.map((p) => [p.partition, p.errorCode, p.highWatermark, p.recordBytes > 0]),
      [
        [0, 0, 0, false],
        [1, 0, 3, true],
      ],
    );
    const unknown = await fetchProbe('127.0.0.1', broker.port, 'missing', [0]);
    assert.notEqual(unknown[0].errorCode, 0, 'an unknown topic is an error, which the bench reports');
  } finally {
    await producer.close();
    await broker.stop();
  }
});
