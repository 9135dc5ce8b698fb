import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConsumeSummary, parseLatencyFile, parseProduceSummary, percentile } from './rdkafka-perf.ts';

test('the last producer summary line wins (the tool prints one per second, then a final one)', () => {
  const output = [
    '% Sending 2000000 messages of size 100 bytes',
    '% 2000000 messages produced (200000000 bytes), 1579316 delivered (offset 1579315, 0 failed) in 1000ms: ' +
      '1577742 msgs/s and 157.77 MB/s, 0 produce failures, 420684 in queue, no compression',
    '% 2000000 messages produced (200000000 bytes), 2000000 delivered (offset 1999999, 3 failed) in 1197ms: ' +
      '1669587 msgs/s and 166.96 MB/s, 0 produce failures, 0 in queue, no compression',
  ].join('\n');
  assert.deepEqual(parseProduceSummary(output), {
    produced: 2000000,
    delivered: 2000000,
    failed: 3,
    ms: 1197,
  });
});

test('a consumer summary is read from its last line; output without one is an error', () => {
  const output = [
    '% 0 messages (0 bytes) consumed in 0ms: 0 msgs/s (0.00 MB/s)',
    '% 2000000 messages (200000000 bytes) consumed in 762ms: 2622297 msgs/s (262.23 MB/s)',
    '% Average application fetch latency: 0us',
  ].join('\n');
  assert.deepEqual(parseConsumeSummary(output), { messages: 2000000, bytes: 200000000, ms: 762 });
  assert.throws(() => parseConsumeSummary('%4|CONFWARN|nothing here'), /no consumer summary/);
  assert.throws(() => parseProduceSummary(output), /no producer summary/);
});

test('latency files are sorted microseconds; percentiles use the nearest rank', () => {
  const sorted = parseLatencyFile('300\n100\n\n200\ngarbage\n400\n');
  assert.deepEqual(sorted, [100, 200, 300, 400]);
  assert.equal(percentile(sorted, 0.5), 200);
  assert.equal(percentile(sorted, 0.99), 400);
  assert.equal(percentile(sorted, 0), 100);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(hundred, 0.99), 99);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
