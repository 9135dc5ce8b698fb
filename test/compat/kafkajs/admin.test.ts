// kafkajs 2.2.4's admin client against eddy's broker: create topics with configs (and again, which
// kafkajs reports as "not created"), list, fetch topic metadata and offsets, describe the cluster and
// topic configs, delete; set and fetch a group's offsets, list and describe groups; add partitions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Admin, type ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';

let broker: TestBroker;
let admin: Admin;

before(async () => {
  broker = await startTestBroker();
  const kafka = new Kafka({
    clientId: 'compat-admin',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
});
after(async () => {
  await admin.disconnect();
  await broker.stop();
});

// kafkajs' ConfigResourceTypes.TOPIC; that enum is not a named export Node can see in the CommonJS module.
const TOPIC = 2 as ConfigResourceTypes;
// Kafka's ConfigSource ids.
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

test('kafkajs admin: create, list, metadata, describe configs, delete', { timeout: 20_000 }, async () => {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: 'kjs-admin-a',
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: '3600000' }],
      },
      { topic: 'kjs-admin-b', numPartitions: 1, replicationFactor: 1 },
    ],
  });
  assert.equal(created, true);
  assert.equal(
    await admin.createTopics({ topics: [{ topic: 'kjs-admin-a', numPartitions: 1 }] }),
    false,
    'an existing topic is not created again',
  );
  assert.deepEqual((await admin.listTopics()).sort(), ['kjs-admin-a', 'kjs-admin-b']);

  const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-admin-a'] });
  assert.deepEqual(
    topics.map((t) => [
      t.name,
      t.partitions
        .map((p) => [p.partitionId, p.leader, p.replicas, p.isr, p.partitionErrorCode])
        .sort((x, y) => Number(x[0]) - Number(y[0])),
    ]),
    [
      [
        'kjs-admin-a',
        [
          [0, 1, [1], [1], 0],
          [1, 1, [1], [1], 0],
          [2, 1, [1], [1], 0],
        ],
      ],
    ],
  );
  const offsets = await admin.fetchTopicOffsets('kjs-admin-a');
  assert.deepEqual(
    offsets.map((o) => [o.partition, o.low, o.high]).sort((x, y) => Number(x[0]) - Number(y[0])),
    [
      [0, '0', '0'],
      [1, '0', '0'],
      [2, '0', '0'],
    ],
  );
  const cluster = await admin.describeCluster();
  assert.deepEqual(
    cluster.brokers.map((b) => [b.nodeId, b.host, b.port]),
    [[1, broker.host, broker.port]],
  );
  assert.equal(cluster.controller, 1);

  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: TOPIC, name: 'kjs-admin-a', configNames: ['retention.ms', 'cleanup.policy'] }],
  });
  const [resource] = described.resources;
  assert.equal(resource.errorCode, 0);
  assert.deepEqual(
    resource.configEntries
      .map((e) => [e.configName, e.configValue, e.isDefault, e.configSource, e.readOnly])
      .sort(),
    [
      ['cleanup.policy', 'delete', true, DEFAULT_CONFIG, false],
      ['retention.ms', '3600000', false, DYNAMIC_TOPIC_CONFIG, false],
    ],
  );

  await admin.deleteTopics({ topics: ['kjs-admin-b'] });
  assert.deepEqual(await admin.listTopics(), ['kjs-admin-a']);
  assert.equal(broker.state.topics.partition('kjs-admin-b', 0), undefined);
  await assert.rejects(
    admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: TOPIC, name: 'kjs-admin-b' }],
    }),
    (error: { type?: string }) => error.type === 'UNKNOWN_TOPIC_OR_PARTITION',
  );
});

test('kafkajs admin: group offsets, listing and description', { timeout: 20_000 }, async () => {
  await admin.createTopics({ topics: [{ topic: 'kjs-offsets', numPartitions: 2 }] });
  // setOffsets commits through a short-lived member of the (empty) group. It takes kafkajs' default
  // maxWaitTime (5 s): its member is paused and sleeps that long before it can stop. (resetOffsets is
  // the same call again, so it is left out.)
  await admin.setOffsets({
    groupId: 'kjs-admin-group',
    topic: 'kjs-offsets',
    partitions: [
      { partition: 0, offset: '5' },
      { partition: 1, offset: '7' },
    ],
  });
  const fetched = async () =>
    (await admin.fetchOffsets({ groupId: 'kjs-admin-group', topics: ['kjs-offsets'] }))[0].partitions
      .map((p) => [p.partition, p.offset])
      .sort((x, y) => Number(x[0]) - Number(y[0]));
  assert.deepEqual(await fetched(), [
    [0, '5'],
    [1, '7'],
  ]);
  const { groups } = await admin.listGroups();
  assert.deepEqual(groups, [{ groupId: 'kjs-admin-group', protocolType: 'consumer' }]);
  const described = await admin.describeGroups(['kjs-admin-group', 'kjs-no-such-group']);
  assert.deepEqual(
    described.groups.map((g) => [g.groupId, g.state, g.members.length]),
    [
      ['kjs-admin-group', 'Empty', 0],
      ['kjs-no-such-group', 'Dead', 0],
    ],
  );
});

test('kafkajs admin: createPartitions grows a topic; a count that is not larger is refused', {
  timeout: 20_000,
}, async () => {
  await admin.createTopics({ topics: [{ topic: 'kjs-grow', numPartitions: 1 }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 3 }] });
  const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-grow'] });
  assert.equal(topics[0].partitions.length, 3);
  await assert.rejects(
    admin.createPartitions({ topicPartitions: [{ topic: 'kjs-grow', count: 2 }] }),
    (error: { type?: string }) => error.type === 'INVALID_PARTITIONS',
  );
});
