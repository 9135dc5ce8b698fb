import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyMap, keyId } from './key-map.ts';

test('the map keeps the latest offset per key, whatever the order of puts', () => {
  const keys = new KeyMap();
  keys.put(Buffer.from('a'), 5);
  keys.put(Buffer.from('a'), 3);
  keys.put(Buffer.from('b'), 1);
  keys.put(Buffer.from('a'), 9);
  assert.equal(keys.get(Buffer.from('a')), 9);
  assert.equal(keys.get(Buffer.from('b')), 1);
  assert.equal(keys.get(Buffer.from('c')), -1);
  assert.equal(keys.size, 2);
});

test('keys are compared as bytes: every byte value, views into larger buffers, long keys by digest', () => {
  const all = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 4 + 3) % 256));
  const keys = new KeyMap();
  keys.put(all, 1);
  const view = Buffer.concat([Buffer.from('xx'), all, Buffer.from('yy')]).subarray(2, 66);
  assert.equal(keys.get(view), 1);
  assert.equal(keys.get(Buffer.from(all).fill(0, 63)), -1, 'one byte differs');
  const long = Buffer.alloc(1000, 7);
  const longer = Buffer.alloc(1001, 7);
  keys.put(long, 2);
  assert.equal(keys.get(Buffer.from(long)), 2);
  assert.equal(keys.get(longer), -1);
  assert.notEqual(keyId(long), keyId(longer));
  assert.equal(keys.get(Buffer.alloc(0)), -1);
  keys.put(Buffer.alloc(0), 4);
  assert.equal(keys.get(new Uint8Array(0)), 4, 'the empty key is a key like any other');
});
