import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { DEFAULT_LOG_CONFIG, logConfigFromOverrides } from './log-config.ts';

test('Kafka-named overrides map onto the log config; other names are ignored', () => {
  const config = logConfigFromOverrides(DEFAULT_LOG_CONFIG, {
    'segment.bytes': '1048576',
    'retention.ms': '-1',
    'retention.bytes': '5000',
    'eddy.durability': 'os',
    'cleanup.policy': 'delete',
  });
  assert.equal(config.segmentBytes, 1048576);
  assert.equal(config.retentionMs, -1);
  assert.equal(config.retentionBytes, 5000);
  assert.equal(config.durability, 'os');
  assert.equal(config.segmentMs, DEFAULT_LOG_CONFIG.segmentMs);
});

test('values out of range or not integers are rejected', () => {
  for (const [name, value] of [
    ['segment.bytes', '3000000000'],
    ['segment.bytes', '1.5'],
    ['retention.ms', '-2'],
    ['segment.ms', 'abc'],
    ['eddy.durability', 'never'],
  ]) {
    assert.throws(
      () => logConfigFromOverrides(DEFAULT_LOG_CONFIG, { [name]: value }),
      (e) => isStreamError(e, 'CFG_INVALID_VALUE'),
      `${name}=${value}`,
    );
  }
});
