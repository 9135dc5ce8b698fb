// Regression: after refusing a frame (here an unknown API key) the broker logged "closing connection"
// and ended its side, but frames already queued behind the refused one still ran as soon as more bytes
// arrived: a pipelined Produce was appended although its client got no answer and would retry it
// elsewhere (a duplicate). Found while fuzzing the broker (test/fuzz/broker-fuzz.test.ts).
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { encodeRequestFrame, PRODUCE_SCHEMA } from '../../src/protocol/index.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch/index.ts';
import { createTopic, fetch, fetchBody, fetchedValues } from '../integration/data-path-helpers.ts';
import { startTestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';

function produceFrame(correlationId: number, value: string): Buffer {
  const records = encodeRecordBatch([{ value: Buffer.from(value) }]);
  return encodeRequestFrame(
    PRODUCE_SCHEMA,
    { apiVersion: 7, correlationId, clientId: 'pipelined' },
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'ledger', partitionData: [{ index: 0, records }] }],
    },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('frames behind a refused one are dropped, not run', { timeout: 15_000 }, async () => {
  const broker = await startTestBroker();
  const admin = await KafkaSocket.open('127.0.0.1', broker.port);
  let client: Socket | undefined;
  try {
    await createTopic(admin, 'ledger');
    // A client that keeps writing after the broker's FIN, as a pipelining client may.
    client = connect({ host: '127.0.0.1', port: broker.port, allowHalfOpen: true });
    await new Promise((resolve) => client?.once('connect', resolve));
    client.on('error', () => {});
    let answered = 0;
    client.on('data', (chunk: Buffer) => {
      answered += chunk.length;
    });
    const unknownApi = Buffer.from([0, 0, 0, 8, 0x7f, 0x00, 0, 0, 0, 0, 0, 1]);
    client.write(Buffer.concat([unknownApi, produceFrame(2, 'queued-behind')]));
    await sleep(200);
    client.write(produceFrame(3, 'sent-after'));
    await sleep(300);

    const answer = await fetch(admin, fetchBody([{ topic: 'ledger', partition: 0, offset: 0 }]));
    assert.deepEqual(fetchedValues(answer.responses[0].partitions[0]), []);
    assert.equal(answered, 0, 'no answer may follow the refused request');
  } finally {
    client?.destroy();
    admin.close();
    await broker.stop();
  }
});
