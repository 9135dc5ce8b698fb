import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { drain, sourceContext } from '../shared/testing.ts';
import { ElementsReader, elementsSource } from './elements-source.ts';

test('one subtask emits every element in order, in chunks of at most batchSize, then ends', async () => {
  const reader = new ElementsReader([1, 2, 3, 4, 5]);
  await reader.open(sourceContext({ batchSize: 2 }));
  const out = await drain(reader);
  assert.deepEqual(out.values, [1, 2, 3, 4, 5]);
  assert.deepEqual(
    out.chunks.map((c) => c.values.length),
    [2, 2, 1],
  );
  assert.deepEqual(out.ended, ['elements']);
  assert.ok(out.chunks.every((c) => c.timestamps.every(Number.isNaN)));
  await reader.close();
});

test('subtask i of p emits the elements whose index % p === i', async () => {
  const elements = ['a', 'b', 'c', 'd', 'e'];
  const seen: unknown[][] = [];
  for (let i = 0; i < 3; i++) {
    const reader = new ElementsReader(elements);
    await reader.open(sourceContext({ subtaskIndex: i, parallelism: 3 }));
    seen.push((await drain(reader)).values);
    await reader.close();
  }
  assert.deepEqual(seen, [['a', 'd'], ['b', 'e'], ['c']]);
});

test('a subtask with nothing to emit ends at once', async () => {
  const reader = new ElementsReader([1]);
  await reader.open(sourceContext({ subtaskIndex: 1, parallelism: 2 }));
  const out = await drain(reader);
  assert.deepEqual(out.values, []);
  assert.deepEqual(out.ended, ['elements']);
});

test('the builder makes a bounded descriptor and rejects a non-array', () => {
  assert.deepEqual(elementsSource([1, 2]), {
    connector: 'elements',
    config: { elements: [1, 2] },
    bounded: true,
  });
  assert.throws(
    () => elementsSource('abc' as unknown as string[]),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /"elements": must be an array/.test(e.message),
  );
});
