import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputEdge } from '../../plan/nodes.ts';
import type { AggregateFunction } from '../../plan/state.ts';
import { OperatorHarness } from '../testing/operator-harness.ts';

const byParity: InputEdge = {
  from: 0,
  partitioning: { kind: 'keyed', key: (n) => (n as number) % 2 },
  port: 0,
};

test('keyed reduce emits the running value per key with each element timestamp', async () => {
  const h = await OperatorHarness.forNode({
    kind: 'keyed-reduce',
    id: 1,
    name: 'sum',
    inputs: [byParity],
    fn: (a, b) => (a as number) + (b as number),
  });
  h.processBatch([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]);
  assert.deepEqual(h.outputWithTimestamps(), [
    { value: 1, timestamp: 10 },
    { value: 2, timestamp: 20 },
    { value: 4, timestamp: 30 },
    { value: 6, timestamp: 40 },
    { value: 9, timestamp: 50 },
  ]);
  await h.close();
});

test('keyed aggregate keeps an accumulator per key and emits its result for every element', async () => {
  const average: AggregateFunction<number, [number, number], number> = {
    createAccumulator: () => [0, 0],
    add: (v, [sum, n]) => [sum + v, n + 1],
    getResult: ([sum, n]) => sum / n,
  };
  const h = await OperatorHarness.forNode({
    kind: 'keyed-aggregate',
    id: 1,
    name: 'avg',
    inputs: [byParity],
    fn: average as AggregateFunction<unknown, unknown, unknown>,
  });
  h.processBatch([1, 2, 3, 6, 5]);
  assert.deepEqual(h.output(), [1, 2, 2, 4, 3]);
  assert.equal(h.keyCount(), 2);
  h.processWatermark(100);
  assert.deepEqual(h.watermarks(), [100], 'an operator without timers forwards the watermark');
  await h.close();
});
