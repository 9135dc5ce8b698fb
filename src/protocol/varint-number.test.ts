import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  readVarlong,
  readVarlongNumber,
  VarintError,
  varlongNumberSize,
  varlongSize,
  writeVarlong,
  writeVarlongNumber,
} from './varint.ts';

const SAMPLES = [
  0,
  1,
  -1,
  63,
  -64,
  64,
  300,
  -300,
  2 ** 31,
  -(2 ** 31) - 1,
  1_700_000_000_000,
  2 ** 52 - 1,
  -(2 ** 52),
];

test('number varlongs are byte-identical to the bigint ones', () => {
  for (let i = 0; i < 2000; i++) {
    const v = i < SAMPLES.length ? SAMPLES[i] : Math.trunc((Math.random() - 0.5) * 2 ** (1 + (i % 53))) + 0; // + 0 turns -0 into 0
    const a = Buffer.alloc(10);
    const b = Buffer.alloc(10);
    const endA = writeVarlongNumber(a, 0, v);
    const endB = writeVarlong(b, 0, BigInt(v));
    assert.equal(endA, endB, `size of ${v}`);
    assert.deepEqual(a, b, `bytes of ${v}`);
    assert.equal(varlongNumberSize(v), varlongSize(BigInt(v)));
    assert.deepEqual(readVarlongNumber(a, 0), [v, endA]);
  }
});

test('values beyond the safe range are refused, not rounded', () => {
  assert.throws(() => writeVarlongNumber(Buffer.alloc(10), 0, 2 ** 52), VarintError);
  assert.throws(() => writeVarlongNumber(Buffer.alloc(10), 0, 1.5), VarintError);
  const big = Buffer.alloc(10);
  const end = writeVarlong(big, 0, 2n ** 60n);
  assert.deepEqual(readVarlong(big, 0), [2n ** 60n, end]);
  assert.throws(() => readVarlongNumber(big, 0), VarintError);
  assert.throws(() => readVarlongNumber(Buffer.from([0x80, 0x80]), 0), VarintError);
  assert.throws(() => readVarlongNumber(Buffer.alloc(11, 0x80), 0), VarintError);
});
