import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batch } from '../shared/testing.ts';
import { CollectWriter, collectSink, collectSinkWithTimestamps, type Timestamped } from './collect-sink.ts';

test('elements are pushed into the caller array, with timestamps when asked', async () => {
  const plain: string[] = [];
  const withTs: Timestamped<string>[] = [];
  const a = new CollectWriter(plain);
  const b = new CollectWriter(withTs, true);
  for (const writer of [a, b]) {
    await writer.open();
    writer.write(batch(['x', 'y'], [5, Number.NaN]));
    await writer.flush();
    await writer.close();
  }
  assert.deepEqual(plain, ['x', 'y']);
  assert.deepEqual(withTs, [
    { value: 'x', timestamp: 5 },
    { value: 'y', timestamp: Number.NaN },
  ]);
});

test('the builders keep the array itself in the descriptor', () => {
  const target: number[] = [];
  assert.equal(collectSink(target).config.target, target);
  assert.equal(collectSinkWithTimestamps<number>([]).config.withTimestamps, true);
});
