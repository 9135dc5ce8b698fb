import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, pairRatios, parseTxnClientOutput, summariseSlots, type TxnSlot } from './txn-throughput.ts';

function slot(mode: TxnSlot['mode'], messages: number, ms: number, extra: Partial<TxnSlot> = {}): TxnSlot {
  return {
    mode,
    messages,
    ms,
    transactions: 0,
    commitMs: [],
    errors: 0,
    clientCpu: 0,
    brokerCpu: 0,
    ...extra,
  };
}

test('the client result is the slots of its last JSON line; failed deliveries make the run an error', () => {
  const one = slot('idempotent', 10, 5);
  const ok = `%4|warning from librdkafka\n${JSON.stringify({ slots: [one] })}\n`;
  assert.deepEqual(parseTxnClientOutput(ok), [one]);
  const failed = JSON.stringify({ slots: [one, slot('transactional', 1, 5, { errors: 2 })] });
  assert.throws(() => parseTxnClientOutput(failed), /2 records failed/);
  assert.throws(() => parseTxnClientOutput('Traceback (most recent call last):'), /printed no result/);
});

test('slots of a kind are pooled into rates, commit-time percentiles and cores', () => {
  const commitMs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted
  const summary = summariseSlots(
    [
      slot('transactional', 1_500_000, 3000, {
        transactions: 60,
        commitMs: commitMs.slice(0, 60),
        brokerCpu: 1.5,
        clientCpu: 4,
      }),
      slot('transactional', 500_000, 1000, {
        transactions: 40,
        commitMs: commitMs.slice(60),
        brokerCpu: 0.5,
        clientCpu: 2,
      }),
    ],
    100,
  );
  assert.deepEqual(summary, {
    messages: 2_000_000,
    msgsPerSec: 500_000,
    mbPerSec: 50,
    transactions: 100,
    commitP50Ms: 50,
    commitP99Ms: 99,
    commitMaxMs: 100,
    brokerCores: 0.5,
    clientCores: 1.5,
  });
  const plain = summariseSlots([slot('idempotent', 10, 1000)], 100);
  assert.equal(plain.commitP50Ms, 0, 'no commits: zero, not NaN, so the JSON stays numeric');
  assert.equal(plain.commitMaxMs, 0);
});

test('each pair of slots gives one ratio, whichever kind ran first', () => {
  const slots = [
    slot('idempotent', 1000, 1000),
    slot('transactional', 900, 1000),
    slot('transactional', 400, 500),
    slot('idempotent', 2000, 1000),
    slot('idempotent', 5, 10), // an unpaired last slot is ignored
  ];
  assert.deepEqual(pairRatios(slots), [0.9, 0.4]);
  assert.equal(median([0.5, 0.9, 1.2]), 0.9);
  assert.equal(median([0.5, 1]), 0.75);
  assert.ok(Number.isNaN(median([])));
});
