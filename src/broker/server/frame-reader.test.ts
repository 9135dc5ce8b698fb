import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramePool } from './frame-pool.ts';
import { FrameReader, FrameTooLarge } from './frame-reader.ts';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

test('whole frames in one chunk come out in order', () => {
  const reader = new FrameReader(1024);
  const frames = reader.push(Buffer.concat([frame('one'), frame(''), frame('three')]));
  assert.deepEqual(
    frames.map((f) => f.toString()),
    ['one', '', 'three'],
  );
});

test('frames split at every byte boundary are reassembled', () => {
  const stream = Buffer.concat([frame('alpha'), frame('beta'), frame('gamma-delta')]);
  for (let cut = 1; cut < stream.length; cut++) {
    for (let cut2 = cut; cut2 < stream.length; cut2++) {
      const reader = new FrameReader(1024);
      const out = [
        ...reader.push(stream.subarray(0, cut)),
        ...reader.push(stream.subarray(cut, cut2)),
        ...reader.push(stream.subarray(cut2)),
      ];
      assert.deepEqual(
        out.map((f) => f.toString()),
        ['alpha', 'beta', 'gamma-delta'],
        `cuts at ${cut}, ${cut2}`,
      );
    }
  }
});

test('one byte at a time works', () => {
  const stream = Buffer.concat([frame('x'.repeat(300)), frame('y')]);
  const reader = new FrameReader(1024);
  const out: string[] = [];
  for (const byte of stream) out.push(...reader.push(Buffer.from([byte])).map((f) => f.toString()));
  assert.deepEqual(out, ['x'.repeat(300), 'y']);
});

test('absurd or negative sizes are refused before buffering the body', () => {
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(2_000_000_000);
  assert.throws(() => new FrameReader(1024).push(huge), FrameTooLarge);
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-5);
  assert.throws(() => new FrameReader(1024).push(negative), FrameTooLarge);
  const reader = new FrameReader(4);
  assert.equal(reader.push(frame('1234')).length, 1);
  assert.throws(() => reader.push(frame('12345')), FrameTooLarge);
});

test('a frame inside one chunk is a view of it; a frame spanning chunks comes from the pool', () => {
  const pool = new FramePool();
  const reader = new FrameReader(1 << 20, pool);
  const small = Buffer.concat([frame('inside'), frame('z'.repeat(100_000))]);
  const [inside] = reader.push(small.subarray(0, 40_000));
  assert.equal(inside.buffer, small.buffer, 'no copy for a frame within the chunk');
  const [spanning] = reader.push(small.subarray(40_000));
  assert.equal(spanning.toString(), 'z'.repeat(100_000));
  reader.release(spanning);
  reader.release(inside); // not the pool's: ignored
  const again = Buffer.concat([frame('y'.repeat(100_000))]);
  assert.deepEqual(reader.push(again.subarray(0, 10)), []);
  const [reused] = reader.push(again.subarray(10));
  assert.equal(reused.buffer, spanning.buffer);
  assert.equal(reused.toString(), 'y'.repeat(100_000));
});
