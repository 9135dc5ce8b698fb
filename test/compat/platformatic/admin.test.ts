// @platformatic/kafka's Admin against eddy's broker: create topics with configs (and the error for an
// existing one), list, metadata, describe configs, list and describe groups, committed offsets, delete.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, ConfigResourceTypes } from '@platformatic/kafka';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';

let broker: TestBroker;
let admin: Admin;

before(async () => {
  broker = await startTestBroker();
  admin = new Admin({ clientId: 'compat-admin', bootstrapBrokers: [broker.bootstrap], retries: 0 });
});
after(async () => {
  await admin.close();
  await broker.stop();
});

// Kafka's ConfigSource ids.
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

test('platformatic admin: topics, configs, groups and offsets', { timeout: 20_000 }, async () => {
  const created = await admin.createTopics({
    topics: ['plat-admin-a'],
    partitions: 3,
    replicas: 1,
    configs: [{ name: 'retention.ms', value: '3600000' }],
  });
  assert.deepEqual(
    created.map((t) => [t.name, t.partitions, t.replicas, t.configuration['retention.ms']]),
    [['plat-admin-a', 3, 1, '3600000']],
  );
  await admin.createTopics({ topics: ['plat-admin-b'], partitions: 1, replicas: 1 });
  await assert.rejects(
    admin.createTopics({ topics: ['plat-admin-a'], partitions: 1 }),
    (error: AggregateError) => {
      const [response] = error.errors as { response?: { topics: { errorCode: number }[] } }[];
      return response.response?.topics[0].errorCode === 36; // TOPIC_ALREADY_EXISTS
    },
  );
  assert.deepEqual((await admin.listTopics()).sort(), ['plat-admin-a', 'plat-admin-b']);

  const metadata = await admin.metadata({ topics: ['plat-admin-a'], forceUpdate: true });
  assert.deepEqual(
    metadata.topics.get('plat-admin-a')?.partitions.map((p) => [p.leader, p.replicas, p.isr]),
    [
      [1, [1], [1]],
      [1, [1], [1]],
      [1, [1], [1]],
    ],
  );
  assert.deepEqual([...metadata.brokers.keys()], [1]);
  assert.equal(
    metadata.topics.get('plat-admin-a')?.id,
    created[0].id,
    'Metadata and CreateTopics agree on the id',
  );
  assert.notEqual(created[0].id, '00000000-0000-0000-0000-000000000000');

  const [described] = await admin.describeConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: 'plat-admin-a',
        configurationKeys: ['retention.ms', 'cleanup.policy'],
      },
    ],
  });
  assert.deepEqual(described.configs.map((c) => [c.name, c.value, c.configSource, c.readOnly]).sort(), [
    ['cleanup.policy', 'delete', DEFAULT_CONFIG, false],
    ['retention.ms', '3600000', DYNAMIC_TOPIC_CONFIG, false],
  ]);

  // Offsets set by the admin (OffsetCommit without membership) make an Empty group. (A platformatic
  // Consumer outside a group sends a null member id, which is not a valid OffsetCommit: Kafka closes
  // the connection on it, and so does eddy.)
  await admin.alterConsumerGroupOffsets({
    groupId: 'plat-admin-group',
    topics: [{ name: 'plat-admin-a', partitionOffsets: [{ partition: 2, offset: 9n }] }],
  });
  const groups = await admin.listGroups();
  assert.deepEqual(
    [...groups.values()]
      .filter((g) => g.id.startsWith('plat-admin'))
      .map((g) => [g.id, g.state, g.protocolType]),
    [['plat-admin-group', 'Empty', '']],
  );
  const groupInfo = await admin.describeGroups({ groups: ['plat-admin-group'] });
  assert.deepEqual(
    [...groupInfo.values()].map((g) => [g.id, g.state, g.protocolType, g.members.size]),
    [['plat-admin-group', 'Empty', '', 0]],
  );
  const offsets = await admin.listConsumerGroupOffsets({ groups: ['plat-admin-group'] });
  assert.deepEqual(
    offsets.map((g) => [
      g.groupId,
      g.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]),
    ]),
    [['plat-admin-group', [['plat-admin-a', [[2, 9n]]]]]],
  );

  await admin.deleteTopics({ topics: ['plat-admin-b'] });
  assert.deepEqual(await admin.listTopics(), ['plat-admin-a']);
  assert.equal(broker.state.topics.partition('plat-admin-b', 0), undefined);
});
