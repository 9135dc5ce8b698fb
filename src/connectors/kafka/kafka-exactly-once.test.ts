import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { sinkContext } from '../shared/testing.ts';
import { transactionTimeoutFor } from './kafka-exactly-once.ts';
import { KafkaSinkWriter, kafkaSink } from './kafka-sink.ts';

const misconfigured = (pattern: RegExp) => (e: unknown) =>
  isStreamError(e, 'CON_EXACTLY_ONCE_MISCONFIGURED') && e.domain === 'user' && pattern.test(e.message);

test('the transaction timeout must exceed checkpoint interval + timeout', () => {
  const quick = { interval: 5_000, timeout: 20_000, mode: 'exactly-once' } as const;
  assert.equal(transactionTimeoutFor('sink', undefined, quick), 60_000);
  assert.equal(transactionTimeoutFor('sink', 25_001, quick), 25_001);
  assert.throws(
    () => transactionTimeoutFor('kafka sink "out"', 25_000, quick),
    misconfigured(
      /^kafka sink "out": transactionTimeout \(25000 ms\) must exceed the checkpoint interval \+ timeout = 5000 \+ 20000 = 25000 ms/,
    ),
  );
  // Flink's default checkpoint timeout (10 min): the default grows to cover it.
  const slow = { interval: 10_000, timeout: 600_000, mode: 'exactly-once' } as const;
  assert.equal(transactionTimeoutFor('sink', undefined, slow), 670_000);
  const tooSlow = { interval: 300_000, timeout: 600_000, mode: 'exactly-once' } as const;
  assert.throws(() => transactionTimeoutFor('sink', undefined, tooSlow), misconfigured(/15 minutes/));
});

test('exactly-once without checkpointing, or with at-least-once checkpoints, is refused at open', async () => {
  const writer = new KafkaSinkWriter({ topic: 'out', format: 'json', guarantee: 'exactly-once' });
  const ctx = sinkContext({ bootstrap: '127.0.0.1:1' });
  await assert.rejects(writer.open(ctx), misconfigured(/needs checkpointing.*'at-least-once'/));
  const atLeastOnce = { interval: 1_000, timeout: 1_000, mode: 'at-least-once' } as const;
  await assert.rejects(
    writer.open({ ...ctx, checkpointing: atLeastOnce }),
    misconfigured(/checkpointing mode 'exactly-once'/),
  );
  await writer.close();
});

test('the builder accepts the exactly-once options and rejects a bad timeout', () => {
  assert.equal(
    kafkaSink({ topic: 't', format: 'json', guarantee: 'exactly-once', transactionTimeout: 90_000 }).config
      .transactionTimeout,
    90_000,
  );
  assert.throws(
    () => kafkaSink({ topic: 't', format: 'json', transactionTimeout: -1 }),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /transactionTimeout/.test(e.message),
  );
});
