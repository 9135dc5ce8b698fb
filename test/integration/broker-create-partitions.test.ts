// CreatePartitions over a real socket at every version (v0–1 classic, v2–3 flexible encodings), and the
// grown topic through Metadata, Produce and Fetch on the same connection.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  API_VERSIONS_SCHEMA,
  CREATE_PARTITIONS_SCHEMA,
  METADATA_SCHEMA,
} from '../../src/protocol/messages/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic, fetch, fetchBody, fetchedValues, produce, records } from './data-path-helpers.ts';

let broker: TestBroker;
let socket: KafkaSocket;

before(async () => {
  broker = await startTestBroker();
  socket = await KafkaSocket.open('127.0.0.1', broker.port);
});
after(async () => {
  socket.close();
  await broker.stop();
});

interface Answer {
  throttleTimeMs: number;
  results: { name: string; errorCode: number; errorMessage: string | null }[];
}

function grow(
  version: number,
  topics: { name: string; count: number; assignments?: number[][] }[],
  validateOnly = false,
): Promise<Answer> {
  return socket.request<Answer>(CREATE_PARTITIONS_SCHEMA, version, {
    topics: topics.map((t) => ({
      name: t.name,
      count: t.count,
      assignments: t.assignments?.map((brokerIds) => ({ brokerIds })) ?? null,
    })),
    timeoutMs: 5000,
    validateOnly,
  });
}

async function partitionCount(topic: string): Promise<number> {
  const answer = await socket.request<{ topics: { partitions: unknown[] }[] }>(METADATA_SCHEMA, 1, {
    topics: [{ name: topic }],
  });
  return answer.topics[0].partitions.length;
}

test('ApiVersions advertises CreatePartitions v0–3', async () => {
  const answer = await socket.request<{
    apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  }>(API_VERSIONS_SCHEMA, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  assert.deepEqual(
    answer.apiKeys.find((k) => k.apiKey === 37),
    { apiKey: 37, minVersion: 0, maxVersion: 3 },
  );
});

for (const version of [0, 1, 2, 3]) {
  test(`CreatePartitions v${version}: grows with and without assignments, errors carry messages`, async () => {
    const name = `grow-v${version}`;
    await createTopic(socket, name, 1);
    const ok = await grow(version, [{ name, count: 2 }]);
    assert.deepEqual(ok, { throttleTimeMs: 0, results: [{ name, errorCode: 0, errorMessage: null }] });
    const placed = await grow(version, [
      { name, count: 4, assignments: [[broker.state.nodeId], [broker.state.nodeId]] },
    ]);
    assert.equal(placed.results[0].errorCode, 0);
    assert.equal(await partitionCount(name), 4);

    const refused = await grow(version, [
      { name, count: 4 },
      { name: `${name}-missing`, count: 2 },
      { name, count: 6, assignments: [[broker.state.nodeId]] },
    ]);
    // `name` twice: one INVALID_REQUEST for it; the unknown topic is answered on its own.
    assert.deepEqual(
      refused.results.map((r) => [r.name, r.errorCode]),
      [
        [name, 42],
        [`${name}-missing`, 3],
      ],
    );
    const notMore = await grow(version, [{ name, count: 4 }]);
    assert.equal(notMore.results[0].errorCode, 37);
    assert.match(notMore.results[0].errorMessage ?? '', /4 partitions/);
    const misplaced = await grow(version, [{ name, count: 5, assignments: [[broker.state.nodeId + 1]] }]);
    assert.equal(misplaced.results[0].errorCode, 39);
    assert.equal((await grow(version, [{ name, count: 9 }], true)).results[0].errorCode, 0);
    assert.equal(await partitionCount(name), 4, 'validateOnly and refused requests change nothing');
  });
}

test('a new partition takes produced records and serves them to fetches', async () => {
  await createTopic(socket, 'grow-data', 1);
  await produce(socket, 'grow-data', 0, records('zero'));
  assert.equal((await grow(3, [{ name: 'grow-data', count: 2 }])).results[0].errorCode, 0);
  const appended = await produce(socket, 'grow-data', 1, records('one', 'two'));
  assert.deepEqual([appended.errorCode, appended.baseOffset], [0, 0]);
  const answer = await fetch(
    socket,
    fetchBody([
      { topic: 'grow-data', partition: 0, offset: 0 },
      { topic: 'grow-data', partition: 1, offset: 0 },
    ]),
  );
  assert.deepEqual(
    answer.responses[0].partitions.map((p) => [p.partitionIndex, p.errorCode, fetchedValues(p)]),
    [
      [0, 0, [[0, 'zero']]],
      [
        1,
        0,
        [
          [0, 'one'],
          [1, 'two'],
        ],
      ],
    ],
  );
});
