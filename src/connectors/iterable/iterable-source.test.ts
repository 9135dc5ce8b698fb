import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { drain, sourceContext } from '../shared/testing.ts';
import { IterableReader, iterableSource } from './iterable-source.ts';

test('a sync iterable is emitted in batchSize chunks and ends', async () => {
  const reader = new IterableReader(new Set([1, 2, 3]));
  await reader.open(sourceContext({ batchSize: 2 }));
  const out = await drain(reader);
  assert.deepEqual(out.values, [1, 2, 3]);
  assert.ok(out.chunks.every((c) => c.values.length <= 2));
  assert.deepEqual(out.ended, ['iterable']);
});

test('an async generator is emitted in order', async () => {
  async function* gen() {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      yield i;
    }
  }
  const reader = new IterableReader(gen());
  await reader.open(sourceContext({ batchSize: 3 }));
  const out = await drain(reader, { maxWaitMs: 1_000 });
  assert.deepEqual(out.values, [0, 1, 2, 3, 4]);
});

test('poll returns an empty list instead of waiting past maxWaitMs for a slow iterator', async () => {
  let release: (() => void) | undefined;
  async function* gen() {
    await new Promise<void>((r) => {
      release = r;
    });
    yield 'late';
  }
  const reader = new IterableReader(gen());
  await reader.open(sourceContext());
  assert.deepEqual(await reader.poll(5), []);
  release?.();
  const out = await drain(reader, { maxWaitMs: 1_000 });
  assert.deepEqual(out.values, ['late']);
});

test('only subtask 0 reads the iterable', async () => {
  const reader = new IterableReader([1, 2]);
  await reader.open(sourceContext({ subtaskIndex: 1, parallelism: 2 }));
  const out = await drain(reader);
  assert.deepEqual(out.values, []);
  assert.deepEqual(out.ended, ['iterable']);
});

test('an iterator that throws fails the source with the operator name', async () => {
  function* gen() {
    yield 1;
    throw new Error('sensor offline');
  }
  const reader = new IterableReader(gen());
  await reader.open(sourceContext({ operatorName: 'readings' }));
  await assert.rejects(
    reader.poll(0),
    (e) => isStreamError(e, 'ENG_USER_FUNCTION_FAILED') && /readings.*sensor offline/.test(e.message),
  );
  await reader.close();
});

test('close() stops a generator so its finally block runs', async () => {
  let cleaned = false;
  function* gen() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      cleaned = true;
    }
  }
  const reader = new IterableReader(gen());
  await reader.open(sourceContext({ batchSize: 4 }));
  assert.deepEqual((await reader.poll(0))?.[0].values, [0, 1, 2, 3]);
  await reader.close();
  assert.equal(cleaned, true);
});

test('the builder rejects something that is not iterable', () => {
  assert.equal(iterableSource([1]).bounded, true);
  assert.throws(
    () => iterableSource(42 as unknown as number[]),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /iterable source.*"iterable"/.test(e.message),
  );
});
