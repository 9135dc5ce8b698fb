import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramePool } from './frame-pool.ts';

test('a released buffer is lent again for a frame of the same size class, and only then', () => {
  const pool = new FramePool();
  const first = pool.acquire(1_000_000);
  assert.equal(first.length, 1_000_000);
  pool.release(first);
  const second = pool.acquire(1_040_000); // same 1 MiB class
  assert.equal(second.buffer, first.buffer);
  assert.equal(second.length, 1_040_000);
  const third = pool.acquire(1_000_000); // the only idle buffer is lent: a new one
  assert.notEqual(third.buffer, first.buffer);
  assert.equal(pool.reused, 1);
});

test('buffers not lent by the pool, second releases and small frames are ignored', () => {
  const pool = new FramePool();
  pool.release(Buffer.allocUnsafeSlow(1 << 20));
  const lent = pool.acquire(1 << 20);
  assert.equal(pool.reused, 0, 'a foreign buffer never enters the pool');
  pool.release(lent);
  pool.release(lent);
  const a = pool.acquire(1 << 20);
  const b = pool.acquire(1 << 20);
  assert.notEqual(a.buffer, b.buffer, 'a double release must not lend one buffer twice');
  pool.release(pool.acquire(100));
  pool.acquire(100);
  assert.equal(pool.reused, 1, 'small frames are allocated normally');
});

test('idle memory stays under maxIdleBytes; oversized frames are never pooled', () => {
  const pool = new FramePool({ maxIdleBytes: 2 << 20, maxFrameBytes: 4 << 20 });
  const lent = [1, 2, 3].map(() => pool.acquire(1 << 20));
  for (const b of lent) pool.release(b);
  const again = [1, 2, 3].map(() => pool.acquire(1 << 20));
  assert.equal(pool.reused, 2, 'only two 1 MiB buffers fit in 2 MiB of idle memory');
  for (const b of again) pool.release(b);
  const huge = pool.acquire(5 << 20);
  pool.release(huge);
  assert.notEqual(pool.acquire(5 << 20).buffer, huge.buffer);
});
