// Connection-level behaviour around the data path: acks=0, unsupported versions, unknown API keys.
import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';

const test = (name: string, fn: () => Promise<void>) => nodeTest(name, { timeout: 10_000 }, fn);

import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/index.ts';
import { API_VERSIONS_SCHEMA, METADATA_SCHEMA, PRODUCE_SCHEMA } from '../../src/protocol/messages/index.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic, fetch, fetchBody, fetchedValues, produceRaw, records } from './data-path-helpers.ts';

let broker: TestBroker;
const sockets: KafkaSocket[] = [];

async function connect(): Promise<KafkaSocket> {
  const socket = await KafkaSocket.open('127.0.0.1', broker.port);
  sockets.push(socket);
  return socket;
}

before(async () => {
  broker = await startTestBroker({ autoCreateTopics: false });
});
after(async () => {
  for (const socket of sockets) socket.close();
  await broker.stop();
});

function produceFrame(correlationId: number, topic: string, bytes: Buffer, acks: number): Buffer {
  return encodeRequestFrame(
    PRODUCE_SCHEMA,
    { apiVersion: 7, correlationId, clientId: 'edges' },
    {
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: bytes }] }],
    },
  );
}

const metadataFrame = (correlationId: number) =>
  encodeRequestFrame(METADATA_SCHEMA, { apiVersion: 1, correlationId, clientId: 'edges' }, { topics: null });

test('acks=0: no response, the records are stored, the next answer is the next request', async () => {
  const socket = await connect();
  await createTopic(socket, 'fire');
  // Both frames are written before any answer; the first frame to come back must be Metadata's.
  const first = socket.sendRaw(produceFrame(100, 'fire', encodeRecordBatch(records('fast')), 0));
  void socket.sendRaw(metadataFrame(101));
  const frame = await first;
  assert.ok(frame !== null);
  assert.equal(decodeResponseFrame(METADATA_SCHEMA, 1, frame).correlationId, 101);
  socket.close(); // its second waiter would take the next answer: use a fresh connection
  const reader = await connect();
  const answer = await fetch(reader, fetchBody([{ topic: 'fire', partition: 0, offset: 0 }]));
  assert.deepEqual(fetchedValues(answer.responses[0].partitions[0]), [[0, 'fast']]);
});

test('acks=0 with an error closes the connection; the broker keeps serving others', async () => {
  const socket = await connect();
  const reply = await socket.sendRaw(produceFrame(7, 'no-such-topic', encodeRecordBatch(records('lost')), 0));
  assert.equal(reply, null);
  assert.equal(socket.closed, true);
  const other = await connect();
  await other.request(METADATA_SCHEMA, 1, { topics: null });
});

test('ApiVersions v9 gets UNSUPPORTED_VERSION in the v0 format, with the supported list', async () => {
  const socket = await connect();
  // A v0 body with the header's version patched to 9: a version this broker has never heard of.
  const retry = await socket.sendRaw(
    patchVersion(
      encodeRequestFrame(API_VERSIONS_SCHEMA, { apiVersion: 0, correlationId: 6, clientId: 'x' }, {}),
      9,
    ),
  );
  assert.ok(retry !== null);
  const decoded = decodeResponseFrame<{
    errorCode: number;
    apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  }>(API_VERSIONS_SCHEMA, 0, retry);
  assert.equal(decoded.correlationId, 6);
  assert.equal(decoded.body.errorCode, 35);
  const byKey = new Map(decoded.body.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  assert.deepEqual(byKey.get(0), [0, 7]);
  assert.deepEqual(byKey.get(1), [4, 12]);
  assert.deepEqual(byKey.get(2), [1, 5]);
  assert.deepEqual(byKey.get(3), [0, 12]);
  assert.deepEqual(byKey.get(19), [0, 7]);
  assert.deepEqual(byKey.get(20), [0, 6]);
  assert.deepEqual(byKey.get(32), [0, 2]);
});

function patchVersion(frame: Buffer, version: number): Buffer {
  frame.writeInt16BE(version, 6);
  return frame;
}

test('an unknown API key or an unserved version closes only that connection', async () => {
  const unknown = await connect();
  const frame = metadataFrame(1);
  frame.writeInt16BE(999, 4);
  assert.equal(await unknown.sendRaw(frame), null);
  const old = await connect();
  assert.equal(
    await old.sendRaw(patchVersion(produceFrame(2, 'x', encodeRecordBatch(records('v')), 1), 8)),
    null,
  );
  const fetchV13 = await connect();
  const fetchFrame = patchVersion(
    encodeRequestFrame(METADATA_SCHEMA, { apiVersion: 1, correlationId: 3, clientId: 'x' }, { topics: null }),
    1,
  );
  fetchFrame.writeInt16BE(1, 4); // Fetch
  fetchFrame.writeInt16BE(13, 6);
  assert.equal(await fetchV13.sendRaw(fetchFrame), null);
  const healthy = await connect();
  const answer = await healthy.request<{ brokers: unknown[] }>(METADATA_SCHEMA, 1, { topics: null });
  assert.equal(answer.brokers.length, 1);
});

test('Produce v0-2 are served for RecordBatch v2 and refuse old message sets with 43', async () => {
  const socket = await connect();
  await createTopic(socket, 'legacy');
  const v2 = await produceRaw(socket, 'legacy', 0, encodeRecordBatch(records('new')), { version: 2 });
  assert.deepEqual([v2.errorCode, v2.baseOffset], [0, 0]);
  const v0 = await produceRaw(socket, 'legacy', 0, encodeRecordBatch(records('new')), { version: 0 });
  assert.deepEqual([v0.errorCode, v0.baseOffset], [0, 1]);
  // A v1 message set: offset, size, crc, magic 1, attributes, timestamp, key -1, value "old".
  const legacy = Buffer.alloc(37);
  legacy.writeInt32BE(legacy.length - 12, 8);
  legacy[16] = 1;
  legacy.writeBigInt64BE(BigInt(Date.now()), 18);
  legacy.writeInt32BE(-1, 26);
  legacy.writeInt32BE(3, 30);
  legacy.write('old', 34);
  assert.equal((await produceRaw(socket, 'legacy', 0, legacy, { version: 1 })).errorCode, 43);
  assert.equal((await produceRaw(socket, 'legacy', 0, legacy, { version: 3 })).errorCode, 87);
});
