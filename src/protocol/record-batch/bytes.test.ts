import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readInt16, readInt32, readInt64, readUInt32, writeInt16, writeInt32, writeInt64 } from './bytes.ts';

test('int64 numbers round-trip and match Buffer big-endian encoding', () => {
  const values = [
    0,
    1,
    -1,
    255,
    -256,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    1_700_000_000_000,
    2 ** 53 - 1,
    -(2 ** 53) + 1,
  ];
  for (const v of values) {
    const buf = Buffer.alloc(8);
    writeInt64(buf, 0, v);
    assert.equal(buf.readBigInt64BE(0), BigInt(v), `write ${v}`);
    assert.equal(readInt64(buf, 0), v, `read ${v}`);
  }
});

test('int16/int32 read signed and unsigned like Buffer does', () => {
  const buf = Buffer.alloc(4);
  for (const v of [0, 1, -1, 32767, -32768, 1234]) {
    writeInt16(buf, 0, v);
    assert.equal(buf.readInt16BE(0), v);
    assert.equal(readInt16(buf, 0), v);
  }
  for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0x12345678]) {
    writeInt32(buf, 0, v);
    assert.equal(buf.readInt32BE(0), v);
    assert.equal(readInt32(buf, 0), v);
    assert.equal(readUInt32(buf, 0), v >>> 0);
  }
});
