// CreatePartitions' semantics through its handler, on a real broker's state (real files, no socket).
// test/integration/broker-create-partitions.test.ts covers the wire versions.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BrokerHandle, startBroker } from '../broker.ts';
import type { BrokerState } from '../broker-state.ts';
import { metadataHandler } from './03-metadata.ts';
import { createPartitionsHandler } from './37-create-partitions.ts';
import type { ApiHandler, RequestContext } from './handler.ts';

interface Result {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
interface Grow {
  name: string;
  count: number;
  assignments?: number[][] | null;
}

let dataDir: string;
let broker: BrokerHandle;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'eddy-create-partitions-'));
  broker = await startBroker({ dataDir, port: 0, host: '127.0.0.1', durability: 'os', logLevel: 'silent' });
});
after(async () => {
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
});

function context(state: BrokerState, apiVersion: number): RequestContext {
  const connection = { id: 1, remote: 'test', closeAfterResponse: false, responsesWritten: async () => true };
  return { apiVersion, clientId: 'test', correlationId: 1, connection, broker: state };
}

async function call<T>(handler: ApiHandler, apiVersion: number, body: unknown, state = broker.state) {
  return (await handler.handle(body, context(state, apiVersion))) as T;
}

async function grow(topics: Grow[], validateOnly = false): Promise<Result[]> {
  const body = {
    topics: topics.map((t) => ({
      name: t.name,
      count: t.count,
      assignments: t.assignments?.map((brokerIds) => ({ brokerIds })) ?? null,
    })),
    timeoutMs: 0,
    validateOnly,
  };
  return (await call<{ results: Result[] }>(createPartitionsHandler, 3, body)).results;
}

const codes = (results: Result[]) => results.map((r) => [r.name, r.errorCode]);
const partitionsOf = (name: string) => broker.state.topics.get(name)?.partitions;

async function topic(name: string, partitions: number): Promise<void> {
  const made = await broker.state.topics.createTopic(name, { partitions });
  assert.ok('topic' in made);
}

test('grows a topic; Metadata lists the new partitions at once and they take appends', async () => {
  await topic('grow', 1);
  assert.deepEqual(await grow([{ name: 'grow', count: 3 }]), [
    { name: 'grow', errorCode: 0, errorMessage: null },
  ]);
  const answer = await call<{ topics: { name: string; partitions: { partitionIndex: number }[] }[] }>(
    metadataHandler,
    12,
    { topics: [{ name: 'grow', topicId: Buffer.alloc(16) }], allowAutoTopicCreation: false },
  );
  assert.deepEqual(
    answer.topics[0].partitions.map((p) => p.partitionIndex),
    [0, 1, 2],
  );
  const log = broker.state.topics.partition('grow', 2);
  assert.ok(log !== undefined);
  assert.equal(log.logEndOffset, 0);
});

test('a count that is not an increase is INVALID_PARTITIONS with the current count; an unknown topic is 3', async () => {
  await topic('same', 2);
  const results = await grow([
    { name: 'same', count: 2 },
    { name: 'nowhere', count: 4 },
  ]);
  assert.deepEqual(codes(results), [
    ['same', 37],
    ['nowhere', 3],
  ]);
  assert.match(results[0].errorMessage ?? '', /currently has 2 partitions/);
  assert.deepEqual(codes(await grow([{ name: 'same', count: 1 }])), [['same', 37]]);
  assert.deepEqual(codes(await grow([{ name: 'same', count: 10_001 }])), [['same', 37]]);
  assert.equal(partitionsOf('same'), 2);
});

test('validateOnly answers as a real request would and changes nothing', async () => {
  await topic('dry', 1);
  assert.deepEqual(
    codes(
      await grow(
        [
          { name: 'dry', count: 4 },
          { name: 'dry-missing', count: 4 },
        ],
        true,
      ),
    ),
    [
      ['dry', 0],
      ['dry-missing', 3],
    ],
  );
  assert.deepEqual(codes(await grow([{ name: 'dry', count: 1 }], true)), [['dry', 37]]);
  assert.equal(partitionsOf('dry'), 1);
  assert.equal(broker.state.topics.partition('dry', 1), undefined);
});

test('a topic named twice gets one INVALID_REQUEST and stays as it is; the others proceed', async () => {
  await topic('twice', 1);
  await topic('once', 1);
  const results = await grow([
    { name: 'twice', count: 2 },
    { name: 'once', count: 2 },
    { name: 'twice', count: 3 },
  ]);
  assert.deepEqual(codes(results), [
    ['twice', 42],
    ['once', 0],
  ]);
  assert.equal(partitionsOf('twice'), 1);
  assert.equal(partitionsOf('once'), 2);
});

test('explicit assignments: one replica on this broker per new partition, else INVALID_REPLICA_ASSIGNMENT', async () => {
  await topic('placed', 1);
  const nodeId = broker.state.nodeId;
  assert.deepEqual(codes(await grow([{ name: 'placed', count: 3, assignments: [[nodeId], [nodeId]] }])), [
    ['placed', 0],
  ]);
  const one = [nodeId];
  for (const assignments of [[one], [one, [nodeId + 1]], [one, [nodeId, nodeId]], [one, []], []]) {
    assert.deepEqual(
      codes(await grow([{ name: 'placed', count: 5, assignments }])),
      [['placed', 39]],
      JSON.stringify(assignments),
    );
  }
  // The count check comes first, as in Kafka.
  assert.deepEqual(codes(await grow([{ name: 'placed', count: 3, assignments: [[9]] }])), [['placed', 37]]);
  assert.equal(partitionsOf('placed'), 3);
});

test('the new count survives a restart of the broker', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-create-partitions-restart-'));
  const options = { dataDir: dir, port: 0, host: '127.0.0.1', durability: 'os', logLevel: 'silent' } as const;
  try {
    const first = await startBroker(options);
    await first.state.topics.createTopic('kept', { partitions: 1 });
    const body = {
      topics: [{ name: 'kept', count: 5, assignments: null }],
      timeoutMs: 0,
      validateOnly: false,
    };
    await call(createPartitionsHandler, 0, body, first.state);
    await first.close();
    const second = await startBroker(options);
    assert.equal(second.state.topics.get('kept')?.partitions, 5);
    assert.ok(second.state.topics.partition('kept', 4) !== undefined);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
