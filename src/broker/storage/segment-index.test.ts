import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetIndex, TimeIndex } from './segment-index.ts';

test('offset index lookups find the last entry at or below the offset', () => {
  const index = new OffsetIndex();
  index.append(0, 0);
  index.append(10, 4100);
  index.append(25, 8300);
  index.append(25, 9000); // not increasing: ignored
  assert.equal(index.length, 3);
  assert.equal(index.lookup(0), 0);
  assert.equal(index.lookup(9), 0);
  assert.equal(index.lookup(10), 4100);
  assert.equal(index.lookup(24), 4100);
  assert.equal(index.lookup(1000), 8300);
  const copy = OffsetIndex.decode(index.encode(), 10_000, 100);
  assert.deepEqual(copy?.positions, [0, 4100, 8300]);
});

test('offset index decode rejects files that cannot belong to the segment', () => {
  const index = new OffsetIndex();
  index.append(3, 100);
  index.append(7, 200);
  const bytes = index.encode();
  assert.equal(OffsetIndex.decode(bytes.subarray(0, 12), 1000, 100), null, 'torn entry');
  assert.equal(OffsetIndex.decode(bytes, 150, 100), null, 'position past the segment end');
  assert.equal(OffsetIndex.decode(bytes, 1000, 5), null, 'offset past the segment');
  assert.equal(OffsetIndex.decode(Buffer.alloc(16), 1000, 100), null, 'zero-filled (not increasing)');
  assert.notEqual(OffsetIndex.decode(bytes, 1000, 100), null);
});

test('time index keeps rising maxima and finds where to start a timestamp search', () => {
  const index = new TimeIndex();
  index.append(100, 0);
  index.append(90, 5); // lower: ignored
  index.append(150, 10);
  index.append(2 ** 40, 20);
  assert.deepEqual(index.timestamps, [100, 150, 2 ** 40]);
  assert.equal(index.lookup(100), 0, 'nothing below 100 is indexed: start at the segment start');
  assert.equal(index.lookup(101), 0);
  assert.equal(index.lookup(151), 10);
  assert.equal(index.maxTimestamp, 2 ** 40);
  const copy = TimeIndex.decode(index.encode(), 100);
  assert.deepEqual(copy?.timestamps, index.timestamps);
  assert.deepEqual(copy?.relOffsets, index.relOffsets);
  assert.equal(TimeIndex.decode(index.encode(), 15), null);
});
