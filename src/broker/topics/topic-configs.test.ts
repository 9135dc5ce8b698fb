import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigSource, topicConfigEntries } from './config-view.ts';
import { checkTopicConfig, TOPIC_CONFIGS } from './topic-configs.ts';
import { checkTopicConfigs, checkTopicName, storageOverrides } from './topic-rules.ts';
import { topicDefaults, topicSettings } from './topic-settings.ts';

test('configs are validated as Kafka does and stored in one spelling', () => {
  assert.deepEqual(checkTopicConfig('retention.ms', ' +60000 '), { value: '60000' });
  assert.deepEqual(checkTopicConfig('retention.ms', '-1'), { value: '-1' });
  assert.match(
    (checkTopicConfig('retention.ms', '-2') as { error: string }).error,
    /retention\.ms.*at least -1/,
  );
  assert.match((checkTopicConfig('max.message.bytes', '3000000000') as { error: string }).error, /INT/);
  assert.deepEqual(checkTopicConfig('cleanup.policy', 'compact, delete'), { value: 'compact,delete' });
  assert.ok('error' in checkTopicConfig('cleanup.policy', 'compact,shred'));
  assert.deepEqual(checkTopicConfig('preallocate', 'TRUE'), { value: 'true' });
  assert.ok('error' in checkTopicConfig('remote.storage.enable', 'true'));
  assert.ok('error' in checkTopicConfig('message.timestamp.type', 'createtime'));
  assert.ok('error' in checkTopicConfig('min.cleanable.dirty.ratio', '1.5'));
  assert.deepEqual(checkTopicConfig('min.cleanable.dirty.ratio', '0.25'), { value: '0.25' });
  assert.match(
    (checkTopicConfig('no.such.config', '1') as { error: string }).error,
    /Unknown topic config name: no\.such\.config/,
  );
  assert.ok('error' in checkTopicConfig('retention.ms', null));
});

test('a bad config set is INVALID_CONFIG naming the key', () => {
  const result = checkTopicConfigs({ 'retention.ms': '100', 'segment.bytes': 'big' });
  assert.equal((result as { errorCode: number }).errorCode, 40);
  assert.match((result as { errorMessage: string }).errorMessage, /segment\.bytes/);
});

test('topic names follow Kafka rules, including the . / _ collision', () => {
  assert.equal(checkTopicName('orders.v1', []), null);
  assert.equal(checkTopicName('', [])?.errorCode, 17);
  assert.equal(checkTopicName('.', [])?.errorCode, 17);
  assert.equal(checkTopicName('..', [])?.errorCode, 17);
  assert.equal(checkTopicName('a'.repeat(250), [])?.errorCode, 17);
  assert.equal(checkTopicName('a'.repeat(249), []), null);
  assert.equal(checkTopicName('bad name', [])?.errorCode, 17);
  assert.equal(checkTopicName('a_b', ['a.b'])?.errorCode, 17);
  assert.equal(checkTopicName('a.b', ['a.b']), null);
});

test('Long.MAX_VALUE limits are stored as the largest safe integer, which storage parses', () => {
  const out = storageOverrides({
    'retention.ms': '9223372036854775807',
    'retention.bytes': '-7',
    'segment.bytes': '1000',
  });
  assert.deepEqual(out, {
    'retention.ms': String(Number.MAX_SAFE_INTEGER),
    'retention.bytes': '-1',
    'segment.bytes': '1000',
  });
});

test('settings come from overrides over defaults; the old difference limit fills unset sides', () => {
  const defaults = topicDefaults('os');
  const plain = topicSettings(defaults, {});
  assert.equal(plain.maxMessageBytes, 1048588);
  assert.equal(plain.logAppendTime, false);
  assert.equal(plain.timestampBeforeMaxMs, Number.POSITIVE_INFINITY);
  assert.equal(plain.timestampAfterMaxMs, 3600000);
  assert.equal(plain.compressionCodec, null);
  const custom = topicSettings(defaults, {
    'message.timestamp.difference.max.ms': '1000',
    'message.timestamp.after.max.ms': '5',
    'compression.type': 'zstd',
    'cleanup.policy': 'delete,compact',
    'message.timestamp.type': 'LogAppendTime',
  });
  assert.equal(custom.timestampBeforeMaxMs, 1000);
  assert.equal(custom.timestampAfterMaxMs, 5);
  assert.equal(custom.compressionCodec, 4);
  assert.equal(custom.compacted, true);
  assert.equal(custom.logAppendTime, true);
});

test('the describe view lists every config with its source and synonyms', () => {
  const defaults = new Map(
    [...topicDefaults('os')].map(([k, v]) => [k, { value: v, configured: k === 'eddy.durability' }]),
  );
  const entries = topicConfigEntries(defaults, { 'retention.ms': '1000' });
  assert.equal(entries.length, TOPIC_CONFIGS.length);
  const retention = entries.find((e) => e.name === 'retention.ms');
  assert.deepEqual(retention, {
    name: 'retention.ms',
    value: '1000',
    readOnly: false,
    source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
    isSensitive: false,
    synonyms: [
      { name: 'retention.ms', value: '1000', source: 1 },
      { name: 'log.retention.ms', value: '604800000', source: 5 },
    ],
  });
  const durability = entries.find((e) => e.name === 'eddy.durability');
  assert.equal(durability?.value, 'os');
  assert.equal(durability?.source, ConfigSource.STATIC_BROKER_CONFIG);
  assert.equal(entries.find((e) => e.name === 'cleanup.policy')?.source, ConfigSource.DEFAULT_CONFIG);
});
