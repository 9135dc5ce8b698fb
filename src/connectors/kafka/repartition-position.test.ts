import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { WriterWatermarks } from '../../engine/repartition/writer-watermarks.ts';
import { offsetsByGroup } from './kafka-positions.ts';
import { repartitionSplitPosition, restoredWriters } from './repartition-position.ts';

const tp = { topic: 'j-repartition-0', partition: 1 };

test('writer watermarks survive a JSON round trip, writers not heard from included', () => {
  const writers = new WriterWatermarks(3);
  writers.apply({ kind: 'watermark', writer: 0, time: 40 });
  writers.apply({ kind: 'idle', writer: 2, idle: true });
  const saved = repartitionSplitPosition(tp, 42n, 'eddy-j.task-1', '127.0.0.1:9092', writers.snapshot());
  const positions = JSON.parse(JSON.stringify([saved]));
  assert.equal(positions[0].split, 'j-repartition-0-1');

  const again = new WriterWatermarks(3);
  again.restore(restoredWriters(positions, 'j-repartition-0-1')!);
  assert.deepEqual(again.snapshot(), writers.snapshot());
  assert.equal(again.watermark, Number.NEGATIVE_INFINITY, 'writer 1 is still awaited');
  assert.equal(again.apply({ kind: 'watermark', writer: 1, time: 30 }), 30);
  assert.equal(restoredWriters(positions, 'j-repartition-0-2'), undefined, 'another split');
});

test('the position is a Kafka position: exactly-once sinks commit its offset to the task group', () => {
  const saved = repartitionSplitPosition(
    tp,
    7n,
    'eddy-j.task-1',
    '127.0.0.1:9092',
    new WriterWatermarks(2).snapshot(),
  );
  const byGroup = offsetsByGroup([{ sourceName: 's', positions: [saved] }], '127.0.0.1:9092', 3);
  assert.deepEqual(byGroup.get('eddy-j.task-1'), [{ ...tp, offset: 7n, metadata: 'eddy-checkpoint:3' }]);
});

test('a saved position without writer watermarks cannot be restored', () => {
  const kafkaOnly = [{ split: 'j-repartition-0-1', position: { kind: 'kafka', offset: 3 } }];
  assert.throws(
    () => restoredWriters(kafkaOnly, 'j-repartition-0-1'),
    (error: unknown) =>
      isStreamError(error) && error.code === 'ENG_RESTORE_FAILED' && /new --job-id/.test(error.message),
  );
});
