import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { Reader } from './reader.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const reader = (s: string) => new Reader(hex(s));

/** Asserts `fn` throws BRK_PROTOCOL_MALFORMED with a message matching `what`. */
function assertMalformed(fn: () => unknown, what: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(
      isStreamError(e, 'BRK_PROTOCOL_MALFORMED'),
      `expected a malformed StreamError, got ${String(e)}`,
    );
    assert.match(e.message, what);
    return true;
  });
}

describe('Reader fixed-size integers', () => {
  it('reads signed and unsigned big-endian values', () => {
    const r = reader('ff 8000 ffff 80000000 ffffffff 01');
    assert.equal(r.readInt8(), -1);
    assert.equal(r.readInt16(), -32768);
    assert.equal(r.readUInt16(), 65535);
    assert.equal(r.readInt32(), -2147483648);
    assert.equal(r.readUInt32(), 4294967295);
    assert.equal(r.readBool(), true);
    assert.equal(r.remaining, 0);
  });

  it('reads any non-zero byte as true and zero as false', () => {
    const r = reader('00 02');
    assert.equal(r.readBool(), false);
    assert.equal(r.readBool(), true);
  });

  it('reads int64 as a number, exact within 2^53', () => {
    assert.equal(reader('ffffffffffffffff').readInt64(), -1);
    assert.equal(reader('0000000100000000').readInt64(), 2 ** 32);
    assert.equal(reader('001fffffffffffff').readInt64(), Number.MAX_SAFE_INTEGER);
    assert.equal(reader('ffe0000000000001').readInt64(), Number.MIN_SAFE_INTEGER);
    assert.equal(reader('fffffffeffffffff').readInt64(), -(2 ** 32) - 1);
  });

  it('reads Long.MAX_VALUE and Long.MIN_VALUE as the nearest doubles', () => {
    assert.equal(reader('7fffffffffffffff').readInt64(), 2 ** 63);
    assert.equal(reader('8000000000000000').readInt64(), -(2 ** 63));
  });

  it('reads float64', () => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(-1.25);
    assert.equal(new Reader(b).readFloat64(), -1.25);
  });

  it('fails on every fixed-size read past the end, naming the type', () => {
    assertMalformed(() => reader('').readInt8(), /int8 at byte 0: needs 1 bytes but only 0 remain/);
    assertMalformed(() => reader('00').readInt16(), /int16/);
    assertMalformed(() => reader('00').readUInt16(), /uint16/);
    assertMalformed(() => reader('000000').readInt32(), /int32/);
    assertMalformed(() => reader('000000').readUInt32(), /uint32/);
    assertMalformed(() => reader('00000000000000').readInt64(), /int64 at byte 0: needs 8/);
    assertMalformed(() => reader('00').readFloat64(), /float64/);
    assertMalformed(() => reader('').readBool(), /bool/);
    assertMalformed(() => reader('00'.repeat(15)).readUuid(), /uuid/);
  });

  it('respects a narrowed end', () => {
    const r = new Reader(hex('00000001 00000002'), 0, 4);
    assert.equal(r.readInt32(), 1);
    assertMalformed(() => r.readInt32(), /int32 at byte 4/);
  });
});

describe('Reader varints', () => {
  it('reads unsigned varints of one to five bytes', () => {
    assert.equal(reader('00').readUnsignedVarint(), 0);
    assert.equal(reader('7f').readUnsignedVarint(), 127);
    assert.equal(reader('8001').readUnsignedVarint(), 128);
    assert.equal(reader('ffffffff0f').readUnsignedVarint(), 4294967295);
  });

  it('rejects truncated, over-long and over-large varints', () => {
    assertMalformed(() => reader('80').readUnsignedVarint(), /runs past the end/);
    assertMalformed(() => reader('8080808080').readUnsignedVarint(), /longer than 5 bytes/);
    assertMalformed(() => reader('ffffffff1f').readUnsignedVarint(), /32 bits/);
  });
});

describe('Reader strings', () => {
  it('reads classic and compact strings, UTF-8 included', () => {
    const text = Buffer.from('héllo 中', 'utf8');
    const classic = Buffer.concat([hex(`00${text.length.toString(16).padStart(2, '0')}`), text]);
    assert.equal(new Reader(classic).readString(), 'héllo 中');
    const compact = Buffer.concat([Buffer.from([text.length + 1]), text]);
    assert.equal(new Reader(compact).readCompactString(), 'héllo 中');
    assert.equal(reader('0000').readString(), '');
    assert.equal(reader('01').readCompactString(), '');
  });

  it('reads null markers in the nullable forms only', () => {
    assert.equal(reader('ffff').readNullableString(), null);
    assert.equal(reader('00').readCompactNullableString(), null);
    assertMalformed(() => reader('ffff').readString(), /non-nullable string/);
    assertMalformed(() => reader('00').readCompactString(), /null in a non-nullable string/);
  });

  it('rejects negative lengths other than -1', () => {
    assertMalformed(() => reader('fffe').readNullableString(), /invalid length -2/);
    assertMalformed(() => reader('8000').readString(), /length -32768/);
  });

  it('rejects lengths longer than the bytes left', () => {
    assertMalformed(
      () => reader('0005 6162').readString(),
      /string at byte 2: needs 5 bytes but only 2 remain/,
    );
    assertMalformed(() => reader('06 6162').readCompactString(), /compact string/);
  });

  it('decodes invalid UTF-8 leniently', () => {
    assert.equal(reader('0002 c328').readString(), '\ufffd(');
  });
});

describe('Reader bytes, uuid and arrays', () => {
  it('returns bytes as views into the frame, not copies', () => {
    const buf = hex('00000002 abcd');
    const b = new Reader(buf).readBytes();
    assert.deepEqual([...b], [0xab, 0xcd]);
    buf[4] = 0x11;
    assert.equal(b[0], 0x11);
  });

  it('reads the four bytes forms and their null markers', () => {
    assert.deepEqual([...reader('03 0102').readCompactBytes()], [1, 2]);
    assert.equal(reader('ffffffff').readNullableBytes(), null);
    assert.equal(reader('00').readCompactNullableBytes(), null);
    assertMalformed(() => reader('ffffffff').readBytes(), /non-nullable bytes/);
    assertMalformed(() => reader('fffffffe').readNullableBytes(), /invalid length -2/);
    assertMalformed(() => reader('00').readCompactBytes(), /null in non-nullable bytes/);
    assertMalformed(() => reader('7fffffff 00').readBytes(), /bytes at byte 4: needs 2147483647 bytes/);
  });

  it('reads a uuid as 16 bytes', () => {
    const id = '0123456789abcdef0123456789abcdef';
    assert.equal(reader(id).readUuid().toString('hex'), id);
  });

  it('reads array lengths with their null markers', () => {
    assert.equal(reader('00000002 0000').readArrayLength(), 2);
    assert.equal(reader('ffffffff').readArrayLength(), -1);
    assert.equal(reader('03 0000').readCompactArrayLength(), 2);
    assert.equal(reader('00').readCompactArrayLength(), -1);
  });

  it('rejects counts that cannot fit in the bytes left', () => {
    assertMalformed(
      () => reader('7fffffff').readArrayLength(),
      /array length at byte 0: 2147483647 elements/,
    );
    assertMalformed(() => reader('00000002 000000').readArrayLength(4), /2 elements cannot fit in 3 bytes/);
    assertMalformed(() => reader('fffffffe').readArrayLength(), /invalid count -2/);
    assertMalformed(() => reader('ffffffff0f').readCompactArrayLength(), /compact array length/);
  });
});

describe('Reader tagged fields', () => {
  it('skips a whole section', () => {
    const r = reader('02 00 02 aaaa 05 01 bb 7f');
    r.skipTaggedFields();
    assert.equal(r.readInt8(), 0x7f);
  });

  it('hands known tags to the handler with end narrowed, and skips the rest', () => {
    const r = reader('03 00 02 0007 01 01 ff 02 04 00000009 55');
    const seen: Record<number, number> = {};
    r.readTaggedFields(seen, (tag, rr, target) => {
      if (tag === 1) return false;
      assert.equal(rr.remaining, tag === 0 ? 2 : 4);
      target[tag] = tag === 0 ? rr.readInt16() : rr.readInt32();
      return true;
    });
    assert.deepEqual(seen, { 0: 7, 2: 9 });
    assert.equal(r.readInt8(), 0x55);
    assert.equal(r.end, r.buf.length, 'end is restored');
  });

  it('rejects a field whose handler reads less than its declared size', () => {
    const r = reader('01 00 04 00000001');
    assertMalformed(
      () =>
        r.readTaggedFields(null, (_t, rr) => {
          rr.readInt16();
          return true;
        }),
      /declares 4 bytes but 2/,
    );
  });

  it('rejects a field that reads past its declared size', () => {
    const r = reader('01 00 01 00000001');
    const readTooMuch = (_t: number, rr: Reader) => {
      rr.readInt32();
      return true;
    };
    assertMalformed(() => r.readTaggedFields(null, readTooMuch), /int32 at byte 3/);
  });

  it('rejects sizes beyond the data and truncated headers', () => {
    assertMalformed(() => reader('01 00 09 00').skipTaggedFields(), /tagged field/);
    assertMalformed(() => reader('01 00 09 00').readTaggedFields(null, () => false), /size 9 exceeds/);
    assertMalformed(() => reader('02 00 00').skipTaggedFields(), /tag at byte 3/);
  });
});
