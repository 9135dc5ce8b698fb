import assert from 'node:assert/strict';
import { test } from 'node:test';
import { javaCompatiblePartitioner } from './partitioner.ts';

test("keys land where the Java client puts them (murmur2 vectors from Kafka's own tests)", () => {
  const partition = javaCompatiblePartitioner();
  // Java: Utils.toPositive(Utils.murmur2(bytes)); the client then takes it modulo the partition count.
  assert.equal(partition(undefined, Buffer.from('21')), -973932308 & 0x7fffffff);
  assert.equal(partition(undefined, Buffer.from('foobar')), -790332482 & 0x7fffffff);
  assert.equal(partition(undefined, Buffer.from('abc')), 479470107);
});

test('records without a key go round-robin', () => {
  const partition = javaCompatiblePartitioner();
  const picks = [0, 1, 2, 3].map(() => partition(undefined, undefined) % 3);
  assert.equal(new Set(picks.slice(0, 3)).size, 3);
});
