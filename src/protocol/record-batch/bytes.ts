/**
 * Big-endian fixed-width integers on plain Uint8Arrays, without DataView or Buffer method dispatch, so
 * the header readers work on any view (Buffer, subarray, file page) and allocate nothing.
 * int64 fields are read as numbers: exact up to 2^53, which covers every offset, timestamp and
 * producer id a broker will see; -1 ("none") reads back as -1.
 */

const TWO_POW_32 = 2 ** 32;

/** Reads a signed 16-bit big-endian integer. */
export function readInt16(buf: Uint8Array, offset: number): number {
  const v = (buf[offset] << 8) | buf[offset + 1];
  return (v << 16) >> 16;
}

/** Reads a signed 32-bit big-endian integer. */
export function readInt32(buf: Uint8Array, offset: number): number {
  return (buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3];
}

/** Reads an unsigned 32-bit big-endian integer. */
export function readUInt32(buf: Uint8Array, offset: number): number {
  return readInt32(buf, offset) >>> 0;
}

/** Reads a signed 64-bit big-endian integer as a number (exact within ±2^53). */
export function readInt64(buf: Uint8Array, offset: number): number {
  return readInt32(buf, offset) * TWO_POW_32 + readUInt32(buf, offset + 4);
}

/** Writes a 16-bit big-endian integer; returns the offset past it. */
export function writeInt16(buf: Uint8Array, offset: number, value: number): number {
  buf[offset] = value >>> 8;
  buf[offset + 1] = value;
  return offset + 2;
}

/** Writes a 32-bit big-endian integer (signed or unsigned); returns the offset past it. */
export function writeInt32(buf: Uint8Array, offset: number, value: number): number {
  buf[offset] = value >>> 24;
  buf[offset + 1] = value >>> 16;
  buf[offset + 2] = value >>> 8;
  buf[offset + 3] = value;
  return offset + 4;
}

/** Writes a 64-bit big-endian integer given as a safe-integer number; returns the offset past it. */
export function writeInt64(buf: Uint8Array, offset: number, value: number): number {
  const hi = Math.floor(value / TWO_POW_32);
  writeInt32(buf, offset, hi);
  writeInt32(buf, offset + 4, value - hi * TWO_POW_32);
  return offset + 8;
}
