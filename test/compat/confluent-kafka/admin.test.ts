// confluent-kafka-python's AdminClient (librdkafka 2.0.2) against eddy's broker: create topics with
// configs, list them, describe topic and broker configs, list groups, delete, and the error cases.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../../support/broker.ts';
import { runOk } from '../support/child-process.ts';
import { findPython } from '../support/python.ts';

const python = findPython('confluent_kafka');
const skip =
  python === null
    ? 'confluent-kafka is not installed (Debian package "python3-confluent-kafka"; .ci/install-debian.sh)'
    : false;

let broker: TestBroker;

before(async () => {
  if (python !== null) broker = await startTestBroker();
});
after(async () => {
  await broker?.stop();
});

// Kafka's ConfigSource ids, as librdkafka reports them.
const DYNAMIC_TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;

test('AdminClient creates, lists, describes and deletes topics', { skip, timeout: 20_000 }, async () => {
  const out = JSON.parse(
    await runOk(python as string, [join(import.meta.dirname, 'admin.py')], {
      EDDY_BOOTSTRAP: broker.bootstrap,
    }),
  );
  assert.deepEqual(out.create, { 'ck-admin-a': null, 'ck-admin-b': null });
  assert.deepEqual(out.createAgain, { 'ck-admin-a': 'TOPIC_ALREADY_EXISTS' });
  assert.deepEqual(out.listed, { 'ck-admin-a': [0, 1, 2], 'ck-admin-b': [0] });
  assert.deepEqual(out.topicConfigs, {
    'retention.ms': { value: '3600000', source: DYNAMIC_TOPIC_CONFIG, isDefault: false, readOnly: false },
    'cleanup.policy': { value: 'delete', source: DYNAMIC_TOPIC_CONFIG, isDefault: false, readOnly: false },
    'segment.bytes': { value: '1073741824', source: DEFAULT_CONFIG, isDefault: true, readOnly: false },
  });
  assert.deepEqual(out.brokerConfigs, {
    'broker.id': { value: '1', source: STATIC_BROKER_CONFIG, isDefault: false, readOnly: true },
  });
  assert.deepEqual(out.groups, { 'ck-admin-group': 'Empty' });
  assert.deepEqual(out.delete, { 'ck-admin-b': null });
  assert.deepEqual(out.listedAfterDelete, { 'ck-admin-a': [0, 1, 2] });
  assert.equal(out.deletedConfigs, 'UNKNOWN_TOPIC_OR_PART');
  // What the broker itself holds agrees with what the client saw.
  assert.equal(broker.state.topics.partition('ck-admin-b', 0), undefined);
  assert.ok(broker.state.topics.partition('ck-admin-a', 2) !== undefined);
});
