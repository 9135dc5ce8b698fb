import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { ManualClock } from '../../common/time.ts';
import { drain, sourceContext } from '../shared/testing.ts';
import { DatagenReader, datagenSource } from './datagen-source.ts';

test('count bounds the source and subtask i generates indexes i, i+p, ...', async () => {
  const all: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const reader = new DatagenReader({ generate: (n) => `e${n}`, count: 5 });
    await reader.open(sourceContext({ subtaskIndex: i, parallelism: 2, batchSize: 2 }));
    const out = await drain(reader);
    assert.deepEqual(out.ended, ['datagen']);
    assert.ok(out.chunks.every((c) => c.values.length <= 2));
    all.push(out.values);
  }
  assert.deepEqual(all, [
    ['e0', 'e2', 'e4'],
    ['e1', 'e3'],
  ]);
});

test('rate paces the source by the job clock, shared over subtasks', async () => {
  const clock = new ManualClock(1_000);
  const reader = new DatagenReader({ generate: (n) => n, rate: 20 });
  // 20/s over 2 subtasks: this subtask may emit 10 records per second.
  await reader.open(sourceContext({ clock, parallelism: 2, subtaskIndex: 1, batchSize: 1_000 }));
  assert.deepEqual((await reader.poll(0))?.[0].values, [1]);
  assert.deepEqual(await reader.poll(0), []);
  clock.advance(500);
  assert.deepEqual((await reader.poll(0))?.[0].values, [3, 5, 7, 9, 11]);
  clock.advance(10_000);
  // A long pause allows a catch-up burst, but never more than batchSize per poll.
  const burst = await reader.poll(0);
  assert.equal(burst?.[0].values.length, 100);
});

test('without a count the source never ends; with count 0 it ends at once', async () => {
  const endless = new DatagenReader({ generate: (n) => n });
  await endless.open(sourceContext({ batchSize: 10 }));
  for (let i = 0; i < 5; i++) assert.equal((await endless.poll(0))?.[0].ended, undefined);
  const empty = new DatagenReader({ generate: (n) => n, count: 0 });
  await empty.open(sourceContext());
  assert.deepEqual((await drain(empty)).ended, ['datagen']);
});

test('a throwing generator names the operator and the index', async () => {
  const reader = new DatagenReader({
    generate: (n) => {
      if (n === 3) throw new Error('no data for 3');
      return n;
    },
    count: 10,
  });
  await reader.open(sourceContext({ operatorName: 'gen' }));
  await assert.rejects(
    reader.poll(0),
    (e) =>
      isStreamError(e, 'ENG_USER_FUNCTION_FAILED') && /"gen" failed on element 3: no data/.test(e.message),
  );
});

test('the builder is bounded only with a count and checks rate and count', () => {
  assert.equal(datagenSource({ generate: (n) => n, count: 3 }).bounded, true);
  assert.equal(datagenSource({ generate: (n) => n, rate: 5 }).bounded, false);
  assert.throws(
    () => datagenSource({ generate: (n) => n, rate: -1 }),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /"rate": must be a positive number/.test(e.message),
  );
  assert.throws(
    () => datagenSource({ generate: (n) => n, count: 1.5 }),
    (e) => isStreamError(e, 'CON_INVALID_CONFIG') && /"count"/.test(e.message),
  );
});
