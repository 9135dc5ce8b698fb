import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BarrierAligner } from './barrier-aligner.ts';

test('exactly-once blocks each input that delivered the barrier until all did', () => {
  const aligner = new BarrierAligner(3, true);
  assert.deepEqual(aligner.onBarrier(0, 1), { block: true, abandoned: undefined });
  assert.deepEqual(aligner.onBarrier(2, 1), { block: true, abandoned: undefined });
  assert.equal(aligner.aligning, 1);
  assert.deepEqual(aligner.onBarrier(1, 1), { complete: 1, abandoned: undefined });
  assert.equal(aligner.aligning, undefined);
  assert.deepEqual(aligner.onBarrier(1, 1), {}, 'a barrier of a taken checkpoint is dropped');
});

test('an ended input counts as arrived, also when it ends during the alignment', () => {
  const aligner = new BarrierAligner(3, true);
  assert.equal(aligner.onEnd(2), undefined);
  aligner.onBarrier(0, 4);
  assert.equal(aligner.onEnd(1), 4);
  assert.deepEqual(aligner.onBarrier(0, 5), { complete: 5, abandoned: undefined });
});

test('a newer barrier abandons an older alignment; at-least-once never blocks', () => {
  const aligner = new BarrierAligner(2, true);
  aligner.onBarrier(0, 1);
  assert.deepEqual(aligner.onBarrier(1, 2), { block: true, abandoned: 1 });
  assert.deepEqual(aligner.onBarrier(0, 2), { complete: 2, abandoned: undefined });

  const loose = new BarrierAligner(2, false);
  assert.deepEqual(loose.onBarrier(0, 1), { block: false, abandoned: undefined });
  assert.deepEqual(loose.onBarrier(1, 1), { complete: 1, abandoned: undefined });
});
