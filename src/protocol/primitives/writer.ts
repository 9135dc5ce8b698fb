/**
 * Growable buffer that writes the Kafka protocol's primitive types.
 *
 * The writer trusts its caller about ranges (an int16 of 70000 wraps): the codec checks values against
 * their field types before writing, with the field's path in the error, and hand-written encoders are
 * expected to pass in-range values. Lengths that cannot be encoded at all (a string over 32767 bytes)
 * do throw.
 */
import { StreamError } from '../../common/errors.ts';

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;
const EMPTY = Buffer.alloc(0);

/**
 * Appends protocol primitives to an internal buffer that doubles as needed.
 *
 * @example
 * const w = new Writer();
 * w.writeInt16(18);
 * w.writeCompactString('eddy');
 * socket.write(w.finish());
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = initialCapacity > 0 ? Buffer.allocUnsafe(initialCapacity) : EMPTY;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, 64));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  writeInt8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const o = this.pos;
    b[o] = (v >>> 8) & 0xff;
    b[o + 1] = v & 0xff;
    this.pos = o + 2;
  }

  writeUInt16(v: number): void {
    this.writeInt16(v);
  }

  writeInt32(v: number): void {
    this.ensure(4);
    this.put32(this.pos, v);
    this.pos += 4;
  }

  writeUInt32(v: number): void {
    this.writeInt32(v);
  }

  private put32(o: number, v: number): void {
    const b = this.buf;
    b[o] = (v >>> 24) & 0xff;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
  }

  /** Overwrites 4 bytes already written, e.g. a size prefix reserved before the body was known. */
  writeInt32At(offset: number, v: number): void {
    if (offset < 0 || offset + 4 > this.pos)
      throw new RangeError(`offset ${offset} is not inside the written bytes`);
    this.put32(offset, v);
  }

  /**
   * int64 from a `number`. Values at or beyond ±2^63 clamp to Long.MAX_VALUE / Long.MIN_VALUE, so a
   * Long.MAX_VALUE read as the double 2^63 writes back unchanged.
   */
  writeInt64(v: number): void {
    let hi: number;
    let lo: number;
    if (v >= TWO_63) {
      hi = 0x7fffffff;
      lo = 0xffffffff;
    } else if (v <= -TWO_63) {
      hi = -0x80000000;
      lo = 0;
    } else {
      hi = Math.floor(v / TWO_32);
      lo = v - hi * TWO_32;
    }
    this.ensure(8);
    this.put32(this.pos, hi);
    this.put32(this.pos + 4, lo);
    this.pos += 8;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  writeUnsignedVarint(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let o = this.pos;
    let rest = v >>> 0;
    while (rest >= 0x80) {
      b[o++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    b[o++] = rest;
    this.pos = o;
  }

  /** Classic string: int16 length + UTF-8. */
  writeString(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) {
      throw new StreamError(
        'BRK_PROTOCOL_INVALID_VALUE',
        `string of ${n} bytes exceeds the 32767-byte limit`,
      );
    }
    this.writeInt16(n);
    this.utf8(s, n);
  }

  writeNullableString(s: string | null): void {
    if (s === null) this.writeInt16(-1);
    else this.writeString(s);
  }

  /** Compact string: uvarint length+1 + UTF-8. */
  writeCompactString(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.writeUnsignedVarint(n + 1);
    this.utf8(s, n);
  }

  writeCompactNullableString(s: string | null): void {
    if (s === null) this.writeUnsignedVarint(0);
    else this.writeCompactString(s);
  }

  private utf8(s: string, n: number): void {
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** Classic bytes: int32 length + bytes. */
  writeBytes(b: Uint8Array): void {
    this.writeInt32(b.length);
    this.writeRaw(b);
  }

  writeNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeInt32(-1);
    else this.writeBytes(b);
  }

  writeCompactBytes(b: Uint8Array): void {
    this.writeUnsignedVarint(b.length + 1);
    this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeUnsignedVarint(0);
    else this.writeCompactBytes(b);
  }

  writeUuid(b: Uint8Array): void {
    if (b.length !== 16) {
      throw new StreamError('BRK_PROTOCOL_INVALID_VALUE', `a uuid is 16 bytes, got ${b.length}`);
    }
    this.writeRaw(b);
  }

  /** Bytes as they are, no length prefix. */
  writeRaw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Classic array length: int32 count, null as -1. */
  writeArrayLength(count: number | null): void {
    this.writeInt32(count === null ? -1 : count);
  }

  /** Compact array length: uvarint count+1, null as 0. */
  writeCompactArrayLength(count: number | null): void {
    this.writeUnsignedVarint(count === null ? 0 : count + 1);
  }

  /** A tagged-field section with no fields (the common case). */
  writeEmptyTaggedFields(): void {
    this.writeInt8(0);
  }

  /**
   * Starts a uvarint-size-prefixed region (a tagged field's value) whose size is not known yet. One
   * byte is reserved; `endSized` moves the region if the size needs more, which is rare because tagged
   * values are small.
   */
  beginSized(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the size of the region started at `mark`. */
  endSized(mark: number): void {
    const size = this.pos - mark - 1;
    if (size < 0x80) {
      this.buf[mark] = size;
      return;
    }
    let width = 1;
    for (let v = size; v >= 0x80; v >>>= 7) width++;
    this.ensure(width - 1);
    this.buf.copyWithin(mark + width, mark + 1, this.pos);
    const end = this.pos + width - 1;
    this.pos = mark;
    this.writeUnsignedVarint(size);
    this.pos = end;
  }

  /**
   * The bytes written, as a view of the internal buffer (no copy). The writer must not be used after
   * this call.
   */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
