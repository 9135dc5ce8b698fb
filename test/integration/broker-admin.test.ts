// Metadata, CreateTopics, DeleteTopics and DescribeConfigs over a real socket, at their version edges.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOPIC_CONFIGS } from '../../src/broker/topics/topic-configs.ts';
import {
  CREATE_TOPICS_SCHEMA,
  DELETE_TOPICS_SCHEMA,
  DESCRIBE_CONFIGS_SCHEMA,
  METADATA_SCHEMA,
} from '../../src/protocol/messages/index.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';
import { KafkaSocket } from '../support/kafka-socket.ts';
import { createTopic } from './data-path-helpers.ts';

let broker: TestBroker;
let socket: KafkaSocket;
const ZERO = Buffer.alloc(16);

before(async () => {
  broker = await startTestBroker({ defaultPartitions: 3 });
  socket = await KafkaSocket.open('127.0.0.1', broker.port);
});
after(async () => {
  socket.close();
  await broker.stop();
});

interface MetadataAnswer {
  brokers: { nodeId: number; host: string; port: number }[];
  clusterId: string | null;
  controllerId: number;
  topics: {
    errorCode: number;
    name: string | null;
    topicId: Buffer;
    isInternal: boolean;
    partitions: {
      partitionIndex: number;
      leaderId: number;
      leaderEpoch: number;
      replicaNodes: number[];
      isrNodes: number[];
    }[];
    topicAuthorizedOperations: number;
  }[];
}

const metadata = (version: number, body: unknown) =>
  socket.request<MetadataAnswer>(METADATA_SCHEMA, version, body);
const names = (answer: MetadataAnswer) => answer.topics.map((t) => t.name).sort();

interface CreateAnswer {
  topics: {
    name: string;
    topicId: Buffer;
    errorCode: number;
    errorMessage: string | null;
    numPartitions: number;
    replicationFactor: number;
    configs: { name: string; value: string | null; configSource: number }[] | null;
  }[];
}

function create(
  version: number,
  topics: Record<string, unknown>[],
  validateOnly = false,
): Promise<CreateAnswer> {
  const full = topics.map((t) => ({
    numPartitions: -1,
    replicationFactor: -1,
    assignments: [],
    configs: [],
    ...t,
  }));
  return socket.request<CreateAnswer>(CREATE_TOPICS_SCHEMA, version, {
    topics: full,
    timeoutMs: 1000,
    validateOnly,
  });
}

test('Metadata: all topics (v0 empty, v1+ null), none for v1+ empty, broker and cluster fields', async () => {
  await createTopic(socket, 'm-one', 2);
  await createTopic(socket, 'm-two', 1);
  assert.deepEqual(names(await metadata(0, { topics: [] })), ['m-one', 'm-two']);
  assert.deepEqual(names(await metadata(1, { topics: null })), ['m-one', 'm-two']);
  assert.deepEqual(names(await metadata(1, { topics: [] })), []);
  const v12 = await metadata(12, {
    topics: null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: true,
  });
  assert.deepEqual(
    v12.brokers.map((b) => [b.nodeId, b.host, b.port]),
    [[1, '127.0.0.1', broker.port]],
  );
  assert.equal(v12.controllerId, 1);
  assert.equal(v12.clusterId, broker.state.clusterId);
  const one = v12.topics.find((t) => t.name === 'm-one');
  assert.ok(one !== undefined && !one.topicId.equals(ZERO));
  assert.equal(one.isInternal, false);
  assert.ok(one.topicAuthorizedOperations > 0);
  assert.deepEqual(
    one.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes]),
    [
      [0, 1, 0, [1], [1]],
      [1, 1, 0, [1], [1]],
    ],
  );
  const byId = await metadata(12, {
    topics: [{ topicId: one.topicId, name: null }],
    allowAutoTopicCreation: false,
  });
  assert.equal(byId.topics[0].name, 'm-one');
  const unknownId = await metadata(12, { topics: [{ topicId: Buffer.alloc(16, 7), name: null }] });
  assert.equal(unknownId.topics[0].errorCode, 100);
});

test('Metadata auto-creates with the default partition count unless the request (v4+) forbids it', async () => {
  const refused = await metadata(4, { topics: [{ name: 'auto-no' }], allowAutoTopicCreation: false });
  assert.equal(refused.topics[0].errorCode, 3);
  const created = await metadata(9, { topics: [{ name: 'auto-yes' }], allowAutoTopicCreation: true });
  assert.equal(created.topics[0].errorCode, 0);
  assert.equal(created.topics[0].partitions.length, 3);
  const v0 = await metadata(0, { topics: [{ name: 'auto-v0' }] });
  assert.equal(v0.topics[0].partitions.length, 3);
  const invalid = await metadata(1, { topics: [{ name: 'bad name!' }] });
  assert.equal(invalid.topics[0].errorCode, 17);
});

test('CreateTopics: defaults, validation codes, validateOnly, v5+ configs (v0, v4, v7)', async () => {
  const made = await create(7, [{ name: 'c-ok', configs: [{ name: 'retention.ms', value: '1000' }] }]);
  const [ok] = made.topics;
  assert.equal(ok.errorCode, 0);
  assert.equal(ok.numPartitions, 3);
  assert.equal(ok.replicationFactor, 1);
  assert.ok(!ok.topicId.equals(ZERO));
  assert.equal(ok.configs?.length, TOPIC_CONFIGS.length);
  assert.deepEqual(
    ok.configs?.find((c) => c.name === 'retention.ms'),
    { name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false },
  );
  assert.equal(ok.configs?.find((c) => c.name === 'cleanup.policy')?.configSource, 5);

  const v0 = await create(0, [{ name: 'c-v0', numPartitions: 2, replicationFactor: 1 }]);
  assert.equal(v0.topics[0].errorCode, 0);
  assert.equal(broker.state.topics.get('c-v0')?.partitions, 2);

  const failures = await create(4, [
    { name: 'c-ok' },
    { name: 'bad/name' },
    { name: 'c-rf', replicationFactor: 3 },
    { name: 'c-parts', numPartitions: 0 },
    { name: 'c-config', configs: [{ name: 'retention.ms', value: 'soon' }] },
    { name: 'c-unknown-config', configs: [{ name: 'made.up', value: '1' }] },
    { name: 'c-dup' },
    { name: 'c-dup' },
    { name: 'c-assign', assignments: [{ partitionIndex: 0, brokerIds: [2] }] },
  ]);
  assert.deepEqual(
    failures.topics.map((t) => [t.name, t.errorCode]),
    [
      ['c-ok', 36],
      ['bad/name', 17],
      ['c-rf', 38],
      ['c-parts', 37],
      ['c-config', 40],
      ['c-unknown-config', 40],
      ['c-dup', 42],
      ['c-dup', 42],
      ['c-assign', 39],
    ],
  );
  assert.match(failures.topics[4].errorMessage ?? '', /retention\.ms/);

  const assigned = await create(4, [
    {
      name: 'c-assigned',
      assignments: [
        { partitionIndex: 1, brokerIds: [1] },
        { partitionIndex: 0, brokerIds: [1] },
      ],
    },
  ]);
  assert.equal(assigned.topics[0].errorCode, 0);
  assert.equal(broker.state.topics.get('c-assigned')?.partitions, 2);

  const dry = await create(7, [{ name: 'c-dry', numPartitions: 5 }], true);
  assert.equal(dry.topics[0].errorCode, 0);
  assert.equal(dry.topics[0].numPartitions, 5);
  assert.equal(broker.state.topics.get('c-dry'), undefined);
});

test('DeleteTopics by name (v0, v5) and by id (v6), with unknown names and ids', async () => {
  await createTopic(socket, 'd-one');
  await createTopic(socket, 'd-two');
  await createTopic(socket, 'd-three');
  const v0 = await socket.request<{ responses: { name: string; errorCode: number }[] }>(
    DELETE_TOPICS_SCHEMA,
    0,
    {
      topicNames: ['d-one', 'd-missing'],
      timeoutMs: 1000,
    },
  );
  assert.deepEqual(
    v0.responses.map((r) => [r.name, r.errorCode]),
    [
      ['d-one', 0],
      ['d-missing', 3],
    ],
  );
  assert.equal(broker.state.topics.get('d-one'), undefined);
  const id = broker.state.topics.get('d-two')?.topicIdBytes as Buffer;
  const v6 = await socket.request<{
    responses: { name: string | null; topicId: Buffer; errorCode: number }[];
  }>(DELETE_TOPICS_SCHEMA, 6, {
    topics: [
      { name: null, topicId: id },
      { name: null, topicId: Buffer.alloc(16, 9) },
      { name: 'd-three', topicId: ZERO },
    ],
    timeoutMs: 1000,
  });
  assert.deepEqual(
    v6.responses.map((r) => [r.name, r.errorCode]),
    [
      ['d-two', 0],
      [null, 100],
      ['d-three', 0],
    ],
  );
  assert.ok(v6.responses[0].topicId.equals(id));
  assert.deepEqual(
    names(await metadata(1, { topics: null })).filter((n) => n?.startsWith('d-')),
    [],
  );
});

interface DescribeAnswer {
  results: {
    errorCode: number;
    resourceName: string;
    configs: {
      name: string;
      value: string | null;
      readOnly: boolean;
      isDefault: boolean;
      configSource: number;
      synonyms: { name: string; source: number }[];
    }[];
  }[];
}

function describeConfigs(
  version: number,
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[],
  includeSynonyms = false,
) {
  return socket.request<DescribeAnswer>(DESCRIBE_CONFIGS_SCHEMA, version, { resources, includeSynonyms });
}

test('DescribeConfigs: every topic config with source, key filter, synonyms, broker resource (v0, v1, v2)', async () => {
  await createTopic(socket, 'dc', 1, { 'cleanup.policy': 'compact' });
  const v0 = await describeConfigs(0, [{ resourceType: 2, resourceName: 'dc', configurationKeys: null }]);
  const all = v0.results[0].configs;
  assert.equal(all.length, TOPIC_CONFIGS.length);
  assert.deepEqual(
    all.filter((c) => !c.isDefault).map((c) => [c.name, c.value]),
    [
      ['cleanup.policy', 'compact'],
      ['eddy.durability', 'os'], // the test broker's own setting: STATIC_BROKER_CONFIG, not a default
    ],
  );
  const v1 = await describeConfigs(
    1,
    [{ resourceType: 2, resourceName: 'dc', configurationKeys: ['cleanup.policy', 'retention.ms', 'nope'] }],
    true,
  );
  assert.deepEqual(
    v1.results[0].configs.map((c) => [c.name, c.configSource, c.synonyms.map((s) => [s.name, s.source])]),
    [
      [
        'cleanup.policy',
        1,
        [
          ['cleanup.policy', 1],
          ['log.cleanup.policy', 5],
        ],
      ],
      ['retention.ms', 5, [['log.retention.ms', 5]]],
    ],
  );
  const v2 = await describeConfigs(2, [
    { resourceType: 2, resourceName: 'missing', configurationKeys: null },
    {
      resourceType: 4,
      resourceName: '1',
      configurationKeys: ['num.partitions', 'log.retention.ms', 'broker.id'],
    },
    { resourceType: 4, resourceName: '7', configurationKeys: null },
    { resourceType: 99, resourceName: 'x', configurationKeys: null },
  ]);
  assert.deepEqual(
    v2.results.map((r) => r.errorCode),
    [3, 0, 42, 42],
  );
  assert.deepEqual(
    v2.results[1].configs.map((c) => [c.name, c.value, c.configSource, c.readOnly]),
    [
      ['broker.id', '1', 4, true],
      ['log.retention.ms', '604800000', 5, true],
      ['num.partitions', '3', 4, true],
    ],
  );
});
