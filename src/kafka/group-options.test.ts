import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { validateGroupOptions } from './group-options.ts';

const base = { bootstrap: 'localhost:9092', groupId: 'eddy-job', memberName: 'host-1', tasks: 4 };

test('defaults are Kafka consumer defaults; the heartbeat is a third of the session, at most 3 s', () => {
  const resolved = validateGroupOptions(base);
  assert.equal(resolved.sessionTimeoutMs, 45_000);
  assert.equal(resolved.rebalanceTimeoutMs, 60_000);
  assert.equal(resolved.heartbeatIntervalMs, 3_000);
  assert.equal(resolved.clientId, 'eddy-host-1');
  assert.equal(validateGroupOptions({ ...base, sessionTimeoutMs: 1_500 }).heartbeatIntervalMs, 500);
});

test('every unusable option is named in one ENG_GROUP_OPTIONS_INVALID', () => {
  assert.throws(
    () =>
      validateGroupOptions({
        ...base,
        groupId: ' ',
        tasks: 0,
        sessionTimeoutMs: 1_000,
        heartbeatIntervalMs: 1_000,
      }),
    (e: unknown) =>
      isStreamError(e, 'ENG_GROUP_OPTIONS_INVALID') &&
      /groupId must be a non-empty string/.test(e.message) &&
      /tasks must be a whole number of at least 1, not 0/.test(e.message) &&
      /heartbeatIntervalMs \(1000\) must be below sessionTimeoutMs \(1000\)/.test(e.message),
  );
  assert.throws(
    () => validateGroupOptions({ ...base, rebalanceTimeoutMs: 2.5 }),
    (e: unknown) =>
      isStreamError(e, 'ENG_GROUP_OPTIONS_INVALID') && /rebalanceTimeoutMs must be a whole/.test(e.message),
  );
});
