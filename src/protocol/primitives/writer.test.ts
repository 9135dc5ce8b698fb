import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';

const bytes = (fn: (w: Writer) => void, capacity?: number): string => {
  const w = new Writer(capacity);
  fn(w);
  return w.finish().toString('hex');
};

describe('Writer integers', () => {
  it('writes big-endian fixed-size values', () => {
    assert.equal(
      bytes((w) => {
        w.writeInt8(-1);
        w.writeInt16(-2);
        w.writeUInt16(65535);
        w.writeInt32(-3);
        w.writeUInt32(4294967295);
        w.writeBool(true);
        w.writeBool(false);
      }),
      'ff' + 'fffe' + 'ffff' + 'fffffffd' + 'ffffffff' + '01' + '00',
    );
  });

  it('writes int64 from numbers, exactly within 2^53', () => {
    assert.equal(
      bytes((w) => w.writeInt64(-1)),
      'ffffffffffffffff',
    );
    assert.equal(
      bytes((w) => w.writeInt64(2 ** 32 + 5)),
      '0000000100000005',
    );
    assert.equal(
      bytes((w) => w.writeInt64(Number.MIN_SAFE_INTEGER)),
      'ffe0000000000001',
    );
  });

  it('clamps int64 at the Long range, so Long.MAX_VALUE survives a round trip', () => {
    assert.equal(
      bytes((w) => w.writeInt64(2 ** 63)),
      '7fffffffffffffff',
    );
    assert.equal(
      bytes((w) => w.writeInt64(-(2 ** 70))),
      '8000000000000000',
    );
    const max = Buffer.from('7fffffffffffffff', 'hex');
    assert.equal(
      bytes((w) => w.writeInt64(new Reader(max).readInt64())),
      '7fffffffffffffff',
    );
  });

  it('writes float64 and unsigned varints', () => {
    assert.equal(
      bytes((w) => w.writeFloat64(1)),
      '3ff0000000000000',
    );
    assert.equal(
      bytes((w) => {
        w.writeUnsignedVarint(0);
        w.writeUnsignedVarint(300);
        w.writeUnsignedVarint(4294967295);
      }),
      '00' + 'ac02' + 'ffffffff0f',
    );
  });

  it('patches an int32 already written, and refuses offsets outside the data', () => {
    const w = new Writer();
    w.writeInt32(0);
    w.writeInt16(7);
    w.writeInt32At(0, w.length - 4);
    assert.equal(w.finish().toString('hex'), '000000020007');
    assert.throws(() => w.writeInt32At(3, 1), RangeError);
  });
});

describe('Writer strings and bytes', () => {
  it('writes classic and compact strings with UTF-8 byte lengths', () => {
    assert.equal(
      bytes((w) => w.writeString('é')),
      '0002c3a9',
    );
    assert.equal(
      bytes((w) => w.writeCompactString('é')),
      '03c3a9',
    );
    assert.equal(
      bytes((w) => {
        w.writeNullableString(null);
        w.writeCompactNullableString(null);
      }),
      'ffff00',
    );
  });

  it('refuses a classic string longer than 32767 bytes', () => {
    const w = new Writer();
    assert.throws(
      () => w.writeString('x'.repeat(32768)),
      (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_INVALID_VALUE'),
    );
    w.writeString('x'.repeat(32767));
    assert.equal(w.length, 32769);
  });

  it('writes bytes, nullable bytes, uuids and raw bytes', () => {
    const b = Buffer.from([1, 2]);
    assert.equal(
      bytes((w) => {
        w.writeBytes(b);
        w.writeNullableBytes(null);
        w.writeCompactBytes(b);
        w.writeCompactNullableBytes(null);
        w.writeRaw(b);
      }),
      '000000020102' + 'ffffffff' + '030102' + '00' + '0102',
    );
    assert.equal(
      bytes((w) => w.writeUuid(Buffer.alloc(16, 0xab))),
      'ab'.repeat(16),
    );
    assert.throws(
      () => new Writer().writeUuid(Buffer.alloc(15)),
      (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_INVALID_VALUE'),
    );
  });

  it('writes array lengths in both encodings', () => {
    assert.equal(
      bytes((w) => {
        w.writeArrayLength(3);
        w.writeArrayLength(null);
        w.writeCompactArrayLength(3);
        w.writeCompactArrayLength(null);
        w.writeEmptyTaggedFields();
      }),
      '00000003' + 'ffffffff' + '04' + '00' + '00',
    );
  });
});

describe('Writer growth and sized regions', () => {
  it('grows from a tiny (even zero) capacity without losing bytes', () => {
    for (const capacity of [0, 1, 3]) {
      const w = new Writer(capacity);
      for (let i = 0; i < 1000; i++) w.writeInt32(i);
      const r = new Reader(w.finish());
      for (let i = 0; i < 1000; i++) assert.equal(r.readInt32(), i);
    }
  });

  it('writes a short sized region with a one-byte size', () => {
    assert.equal(
      bytes((w) => {
        const m = w.beginSized();
        w.writeInt32(1);
        w.endSized(m);
        w.writeInt8(9);
      }),
      '04' + '00000001' + '09',
    );
  });

  it('moves a long sized region to make room for a wider size', () => {
    for (const size of [127, 128, 300, 20000]) {
      const w = new Writer(4);
      w.writeInt8(0x55);
      const m = w.beginSized();
      for (let i = 0; i < size; i++) w.writeInt8(i & 0xff);
      w.endSized(m);
      w.writeInt8(0x66);
      const r = new Reader(w.finish());
      assert.equal(r.readInt8(), 0x55);
      assert.equal(r.readUnsignedVarint(), size);
      const region = r.readRaw(size);
      for (let i = 0; i < size; i++) assert.equal(region[i], i & 0xff);
      assert.equal(r.readInt8(), 0x66);
      assert.equal(r.remaining, 0);
    }
  });
});
