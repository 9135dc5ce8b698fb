import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import type { SourceReader, SplitPosition } from '../../engine/source.ts';
import { DatagenReader } from '../datagen/datagen-source.ts';
import { ElementsReader } from '../elements/elements-source.ts';
import { sourceContext } from './testing.ts';

async function pollValues(reader: SourceReader<unknown>, polls: number): Promise<unknown[]> {
  const values: unknown[] = [];
  for (let i = 0; i < polls; i++) {
    const chunks = await reader.poll(0);
    if (chunks === null) break;
    for (const chunk of chunks) values.push(...chunk.values);
  }
  return values;
}

const letters = [...'abcdefghij'];

test('an elements reader restored from its positions emits what it had not emitted yet', async () => {
  const ctx = sourceContext({ batchSize: 2, subtaskIndex: 1, parallelism: 2 });
  const first = new ElementsReader(letters);
  await first.open(ctx);
  assert.deepEqual(await pollValues(first, 1), ['b', 'd']);
  const positions = first.snapshotPositions();
  assert.deepEqual(positions, [
    { split: 'elements-1', position: { subtask: 1, parallelism: 2, emitted: 2 } },
  ]);

  const second = new ElementsReader(letters);
  second.restorePositions([
    ...positions,
    { split: 'elements-0', position: { subtask: 0, parallelism: 2, emitted: 5 } },
  ]);
  await second.open(ctx);
  assert.deepEqual(await pollValues(second, 10), ['f', 'h', 'j']);
});

test('a datagen reader restored from its positions goes on with the next index', async () => {
  const generate = (i: number) => i * 10;
  const ctx = sourceContext({ batchSize: 3 });
  const first = new DatagenReader({ generate, count: 8 });
  await first.open(ctx);
  assert.deepEqual(await pollValues(first, 1), [0, 10, 20]);
  const second = new DatagenReader({ generate, count: 8 });
  second.restorePositions(first.snapshotPositions());
  await second.open(ctx);
  assert.deepEqual(await pollValues(second, 10), [30, 40, 50, 60, 70]);
});

test('positions taken part-way restore only at the same parallelism; finished ones at any', async () => {
  const partWay: SplitPosition[] = [
    { split: 'elements-0', position: { subtask: 0, parallelism: 2, emitted: 1 } },
    { split: 'elements-1', position: { subtask: 1, parallelism: 2, emitted: 5 } },
  ];
  const reader = new ElementsReader(letters);
  reader.restorePositions(partWay);
  await assert.rejects(reader.open(sourceContext({ parallelism: 3 })), (error: unknown) => {
    assert.ok(isStreamError(error, 'CON_INVALID_CONFIG'));
    assert.match(error.message, /restore it at parallelism 2/);
    return true;
  });

  const done = new ElementsReader(letters);
  done.restorePositions([
    { split: 'elements-0', position: { subtask: 0, parallelism: 2, emitted: 5 } },
    { split: 'elements-1', position: { subtask: 1, parallelism: 2, emitted: 5 } },
  ]);
  await done.open(sourceContext({ parallelism: 3 }));
  assert.deepEqual(await pollValues(done, 3), []);
});
