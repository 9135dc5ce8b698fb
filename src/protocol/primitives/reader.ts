/**
 * Cursor over a Buffer that reads the Kafka protocol's primitive types.
 *
 * Every read checks the bytes left against `end` first, so a truncated or lying frame fails with
 * StreamError 'BRK_PROTOCOL_MALFORMED' naming what was being read, never with a RangeError from
 * Buffer. Byte strings (`bytes`, `records`, `uuid`) come back as views into the frame (no copy): the
 * broker stores record batches exactly as received, and a copy per batch would double the produce path's
 * memory traffic. Copy them if the frame's buffer is going to be reused.
 */
import { StreamError } from '../../common/errors.ts';

const TWO_32 = 4294967296;

/** The error every malformed read throws; `path` is filled in by the codec as the error unwinds. */
export function malformed(what: string, offset: number, detail: string): StreamError {
  return new StreamError('BRK_PROTOCOL_MALFORMED', `${what} at byte ${offset}: ${detail}`, {
    details: { offset, path: [] as string[] },
  });
}

/** Handles one tagged field; returns false to have it skipped (unknown tag). */
export type TaggedFieldHandler<T> = (tag: number, reader: Reader, target: T) => boolean;

/**
 * Reads protocol primitives from `buf[offset, end)`.
 *
 * @example
 * const r = new Reader(frame);
 * const apiKey = r.readInt16();
 */
export class Reader {
  readonly buf: Buffer;
  /** Position of the next byte to read. */
  offset: number;
  /** One past the last readable byte; the codec narrows it while reading a tagged field. */
  end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): number {
    const at = this.offset;
    if (this.end - at < n) throw malformed(what, at, `needs ${n} bytes but only ${this.end - at} remain`);
    this.offset = at + n;
    return at;
  }

  readInt8(): number {
    const o = this.need(1, 'int8');
    return (this.buf[o] << 24) >> 24;
  }

  /** Any non-zero byte is true, as in Kafka's own reader. */
  readBool(): boolean {
    return this.buf[this.need(1, 'bool')] !== 0;
  }

  readInt16(): number {
    const o = this.need(2, 'int16');
    const b = this.buf;
    return (((b[o] << 8) | b[o + 1]) << 16) >> 16;
  }

  readUInt16(): number {
    const o = this.need(2, 'uint16');
    return (this.buf[o] << 8) | this.buf[o + 1];
  }

  readInt32(): number {
    const o = this.need(4, 'int32');
    const b = this.buf;
    return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  }

  readUInt32(): number {
    const o = this.need(4, 'uint32');
    const b = this.buf;
    return b[o] * 16777216 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
  }

  /**
   * int64 as a `number`: exact within ±2^53, rounded to the nearest double beyond (see
   * docs/internals/protocol-codec.md). Long.MAX_VALUE reads as 2^63, which the writer clamps back.
   */
  readInt64(): number {
    const o = this.need(8, 'int64');
    const b = this.buf;
    const hi = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    const lo = b[o + 4] * 16777216 + ((b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]);
    return hi * TWO_32 + lo;
  }

  readFloat64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }

  /** A 32-bit unsigned varint (compact lengths, tagged-field headers). */
  readUnsignedVarint(what = 'unsigned varint'): number {
    const b = this.buf;
    let o = this.offset;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (o >= this.end) throw malformed(what, this.offset, 'runs past the end of the data');
      const byte = b[o++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw malformed(what, this.offset, 'does not fit in 32 bits');
        this.offset = o;
        return value;
      }
    }
    throw malformed(what, this.offset, 'is longer than 5 bytes');
  }

  /** Classic string: int16 length, never null. */
  readString(): string {
    const n = this.readInt16();
    if (n < 0) throw malformed('string', this.offset - 2, `length ${n} in a non-nullable string`);
    return this.utf8(n, 'string');
  }

  /** Classic nullable string: int16 length, -1 = null. */
  readNullableString(): string | null {
    const n = this.readInt16();
    if (n === -1) return null;
    if (n < 0) throw malformed('nullable string', this.offset - 2, `invalid length ${n}`);
    return this.utf8(n, 'nullable string');
  }

  /** Compact string: uvarint length+1, never null. */
  readCompactString(): string {
    const n = this.readUnsignedVarint('compact string length') - 1;
    if (n < 0) throw malformed('compact string', this.offset - 1, 'null in a non-nullable string');
    return this.utf8(n, 'compact string');
  }

  /** Compact nullable string: uvarint length+1, 0 = null. */
  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarint('compact string length') - 1;
    return n < 0 ? null : this.utf8(n, 'compact nullable string');
  }

  /** Invalid UTF-8 decodes leniently (U+FFFD), as Java's decoder does. */
  private utf8(n: number, what: string): string {
    const o = this.need(n, what);
    return this.buf.toString('utf8', o, o + n);
  }

  /** Classic bytes: int32 length, never null. */
  readBytes(): Buffer {
    const n = this.readInt32();
    if (n < 0) throw malformed('bytes', this.offset - 4, `length ${n} in non-nullable bytes`);
    return this.view(n, 'bytes');
  }

  /** Classic nullable bytes (also `records`): int32 length, -1 = null. */
  readNullableBytes(): Buffer | null {
    const n = this.readInt32();
    if (n === -1) return null;
    if (n < 0) throw malformed('nullable bytes', this.offset - 4, `invalid length ${n}`);
    return this.view(n, 'nullable bytes');
  }

  readCompactBytes(): Buffer {
    const n = this.readUnsignedVarint('compact bytes length') - 1;
    if (n < 0) throw malformed('compact bytes', this.offset - 1, 'null in non-nullable bytes');
    return this.view(n, 'compact bytes');
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUnsignedVarint('compact bytes length') - 1;
    return n < 0 ? null : this.view(n, 'compact nullable bytes');
  }

  /** A 16-byte UUID as a view into the frame. */
  readUuid(): Buffer {
    return this.view(16, 'uuid');
  }

  /** `n` raw bytes as a view into the frame. */
  readRaw(n: number, what = 'raw bytes'): Buffer {
    return this.view(n, what);
  }

  private view(n: number, what: string): Buffer {
    const o = this.need(n, what);
    return this.buf.subarray(o, o + n);
  }

  skip(n: number, what = 'skipped bytes'): void {
    this.need(n, what);
  }

  /**
   * Classic array length: int32, -1 = null (returned as -1). A count that could not fit in the bytes
   * left, given each element takes at least `minElementSize` bytes, is malformed: it guards against
   * allocating a huge array for a frame that lies.
   */
  readArrayLength(minElementSize = 1): number {
    const n = this.readInt32();
    if (n === -1) return -1;
    if (n < 0) throw malformed('array length', this.offset - 4, `invalid count ${n}`);
    return this.checkCount(n, minElementSize, 'array length', 4);
  }

  /** Compact array length: uvarint N+1, 0 = null (returned as -1). */
  readCompactArrayLength(minElementSize = 1): number {
    const start = this.offset;
    const n = this.readUnsignedVarint('compact array length') - 1;
    if (n < 0) return -1;
    return this.checkCount(n, minElementSize, 'compact array length', this.offset - start);
  }

  private checkCount(n: number, minElementSize: number, what: string, width: number): number {
    if (n * Math.max(1, minElementSize) > this.end - this.offset) {
      throw malformed(
        what,
        this.offset - width,
        `${n} elements cannot fit in ${this.end - this.offset} bytes`,
      );
    }
    return n;
  }

  /** Reads a tagged-field section and ignores every field in it. */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarint('tagged field count');
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarint('tag');
      this.skip(this.readUnsignedVarint('tagged field size'), 'tagged field');
    }
  }

  /**
   * Reads a tagged-field section, handing each field to `handle` with `end` narrowed to the field's
   * bytes. A handled field must consume exactly its declared size; unhandled ones are skipped.
   */
  readTaggedFields<T>(target: T, handle: TaggedFieldHandler<T>): void {
    const count = this.readUnsignedVarint('tagged field count');
    for (let i = 0; i < count; i++) {
      const tag = this.readUnsignedVarint('tag');
      const size = this.readUnsignedVarint('tagged field size');
      const start = this.offset;
      if (size > this.end - start) {
        throw malformed(
          `tagged field ${tag}`,
          start,
          `size ${size} exceeds the ${this.end - start} bytes left`,
        );
      }
      const outerEnd = this.end;
      this.end = start + size;
      try {
        if (handle(tag, this, target) && this.offset !== this.end) {
          throw malformed(
            `tagged field ${tag}`,
            start,
            `declares ${size} bytes but ${this.offset - start} were read`,
          );
        }
      } finally {
        this.end = outerEnd;
      }
      this.offset = start + size;
    }
  }
}
