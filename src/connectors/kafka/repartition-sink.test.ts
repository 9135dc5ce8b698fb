import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import {
  decodeRepartitionRecords,
  RepartitionEncoder,
} from '../../engine/repartition/repartition-records.ts';
import { sinkContext } from '../shared/testing.ts';
import { RepartitionSinkWriter, repartitionSink } from './repartition-sink.ts';
import { MAX_TIMESTAMP_RANGE, produceRequests } from './repartition-sink-records.ts';

const key = (value: unknown) => (value as { user: string }).user;
const options = { topic: 'job-repartition-0', tasks: 3, maxParallelism: 128, key };
const CHECKPOINTING = { interval: 1_000, timeout: 1_000, mode: 'exactly-once' } as const;

test('repartitionSink() names the kafka-repartition connector and validates its config', () => {
  const descriptor = repartitionSink(options);
  assert.equal(descriptor.connector, 'kafka-repartition');
  assert.deepEqual(descriptor.config, options);
  assert.equal(descriptor.config.key, key, 'the key selector is kept by reference');
  const invalid = (pattern: RegExp) => (e: unknown) =>
    isStreamError(e, 'CON_INVALID_CONFIG') && pattern.test(e.message);
  assert.throws(() => repartitionSink({ ...options, tasks: 200 }), invalid(/"tasks": must not exceed/));
  assert.throws(() => repartitionSink({ ...options, tasks: 0 }), invalid(/"tasks"/));
  assert.throws(() => repartitionSink({ ...options, maxParallelism: 40_000 }), invalid(/at most 32768/));
  assert.throws(
    () => repartitionSink({ ...options, key: 'user' as unknown as typeof key }),
    invalid(/"key": must be a function/),
  );
});

test('open() refuses a job without exactly-once checkpoints, or a parallelism other than tasks', async () => {
  const writer = new RepartitionSinkWriter(options);
  const ctx = sinkContext({ bootstrap: '127.0.0.1:1', parallelism: 3, operatorName: 'to counts' });
  const misconfigured = (pattern: RegExp) => (e: unknown) =>
    isStreamError(e, 'CON_EXACTLY_ONCE_MISCONFIGURED') && pattern.test(e.message);
  await assert.rejects(writer.open(ctx), misconfigured(/needs checkpointing in mode 'exactly-once'.*none/));
  await assert.rejects(
    writer.open({ ...ctx, checkpointing: { ...CHECKPOINTING, mode: 'at-least-once' } }),
    misconfigured(/mode 'at-least-once'/),
  );
  await assert.rejects(
    writer.open({ ...ctx, parallelism: 2, checkpointing: CHECKPOINTING }),
    (e) =>
      isStreamError(e, 'CON_INVALID_CONFIG') &&
      /"to counts" writes topic "job-repartition-0" for 3 tasks but runs at parallelism 2/.test(e.message),
  );
  await writer.close();
});

test('produceRequests splits by size, keeps order and partitions, and round-trips through the decoder', () => {
  const encoder = new RepartitionEncoder(1, 'job-repartition-0');
  const values = ['a', 'b', 'c', 'd'].map((user) => ({ user, pad: 'x'.repeat(100) }));
  const records = [
    ...encoder.data({ values, timestamps: [10, Number.NaN, -5, 20] }, [0, 50, 100, 127]),
    encoder.end(),
  ];
  // A data record here is 155 bytes by the estimate (2 key + 121 value + 32 headers), the end record 34.
  const requests = produceRequests('job-repartition-0', records, [0, 1, 2, 2, 1], 320);
  assert.deepEqual(
    requests.map((r) => r.messages.length),
    [2, 2, 1],
  );
  const messages = requests.flatMap((r) => r.messages);
  assert.deepEqual(
    messages.map((m) => m.partition),
    [0, 1, 2, 2, 1],
  );
  assert.equal(messages[4].value, undefined, 'an end record has no value');
  assert.deepEqual(
    messages.map((m) => m.timestamp),
    [10n, 10n, 10n, 20n, 20n],
    'records without a Kafka timestamp take the one before them',
  );
  const fetched = messages.map((m) => ({
    key: m.key ?? null,
    value: m.value ?? null,
    headers: [...(m.headers as Map<Buffer, Buffer>)],
    timestamp: m.timestamp === undefined ? Number.NaN : Number(m.timestamp),
  }));
  const { batch, controls } = decodeRepartitionRecords(fetched);
  assert.deepEqual(batch, { values, timestamps: [10, Number.NaN, -5, 20] });
  assert.deepEqual(controls, [{ at: 4, event: { kind: 'end', writer: 1 } }]);
});

test('produceRequests keeps the timestamps of one request within MAX_TIMESTAMP_RANGE', () => {
  const encoder = new RepartitionEncoder(0);
  const far = 1_700_000_000_000;
  const times = [Number.NaN, 5, 5 + MAX_TIMESTAMP_RANGE - 1, far, Number.NaN, 7];
  const records = encoder.data(
    { values: times.map((_, n) => ({ n })), timestamps: times },
    [0, 0, 0, 0, 0, 0],
  );
  const requests = produceRequests('t', records, [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(
    requests.map((r) => r.messages.map((m) => Number(m.timestamp))),
    [[5, 5, 5 + MAX_TIMESTAMP_RANGE - 1], [far, far], [7]],
  );
});
