// kafka-python 2.0.2's KafkaAdminClient against eddy's broker: create topics with a config, the
// already-exists error, list, describe configs and topics, add partitions (then produce to a new one),
// list and describe groups, read committed offsets (metadata included), delete.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { runOk } from '../support/child-process.ts';
import { findPython } from '../support/python.ts';

const python = findPython('kafka');
const skip =
  python === null
    ? 'kafka-python is not installed (Debian package "python3-kafka"; .ci/install-debian.sh)'
    : false;

let broker: TestBroker;

before(async () => {
  if (python !== null) broker = await startTestBroker();
});
after(async () => {
  await broker?.stop();
});

// Kafka's ConfigSource ids.
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

test('KafkaAdminClient manages topics and reads groups', { skip, timeout: 20_000 }, async () => {
  const out = JSON.parse(
    await runOk(python as string, [join(import.meta.dirname, 'admin.py')], {
      EDDY_BOOTSTRAP: broker.bootstrap,
    }),
  );
  assert.deepEqual(out.create, [
    ['kp-admin-a', 0],
    ['kp-admin-b', 0],
  ]);
  assert.equal(out.createAgain, 'TopicAlreadyExistsError');
  assert.deepEqual(out.listed, ['kp-admin-a', 'kp-admin-b']);
  assert.deepEqual(out.configs, {
    'retention.ms': ['3600000', DYNAMIC_TOPIC_CONFIG],
    'cleanup.policy': ['delete', DEFAULT_CONFIG],
  });
  assert.deepEqual(out.topics, [
    [
      'kp-admin-a',
      [
        [0, 1, [1]],
        [1, 1, [1]],
        [2, 1, [1]],
      ],
    ],
  ]);
  assert.deepEqual(out.grow, [['kp-admin-b', 0]]);
  assert.equal(out.growAgain, 'InvalidPartitionsError');
  assert.equal(out.growMissing, 'UnknownTopicOrPartitionError');
  assert.deepEqual(out.growValidateOnly, [['kp-admin-b', 0]]);
  assert.deepEqual(out.grownPartitions, [3], 'validate_only changed nothing');
  assert.deepEqual(out.sentToNew, [2, 0]);
  assert.deepEqual(out.groups, [['kp-admin-group', '']]);
  assert.deepEqual(out.describedGroups, [['kp-admin-group', 'Empty', '', 0]]);
  assert.deepEqual(out.groupOffsets, [['kp-admin-a', 1, 7, 'checkpoint-7']]);
  assert.deepEqual(out.delete, [['kp-admin-b', 0]]);
  assert.deepEqual(out.listedAfterDelete, ['kp-admin-a']);
  assert.equal(broker.state.topics.partition('kp-admin-b', 0), undefined);
});
