/**
 * Variable-length integers as Kafka encodes them.
 *
 * Protocol-level compact lengths and tagged-field headers use plain unsigned varints; record fields
 * inside a RecordBatch use zig-zag (protobuf `sint`) varints and varlongs. Every reader returns the
 * value and the offset just past it, so callers can walk a buffer without allocating.
 */

/** Largest number of bytes a 32-bit varint may take; a longer one is malformed. */
const MAX_VARINT_BYTES = 5;
/** Largest number of bytes a 64-bit varlong may take. */
const MAX_VARLONG_BYTES = 10;

export class VarintError extends RangeError {}

export function readUnsignedVarint(buf: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset >= buf.length) throw new VarintError('varint runs past the end of the buffer');
    const byte = buf[offset++];
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value >>> 0, offset];
    shift += 7;
  }
  throw new VarintError('varint is longer than 5 bytes');
}

export function unsignedVarintSize(value: number): number {
  let v = value >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function writeUnsignedVarint(buf: Uint8Array, offset: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buf[offset++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[offset++] = v;
  return offset;
}

export function readVarint(buf: Uint8Array, offset: number): [value: number, next: number] {
  const [raw, next] = readUnsignedVarint(buf, offset);
  return [(raw >>> 1) ^ -(raw & 1), next];
}

export function varintSize(value: number): number {
  return unsignedVarintSize((value << 1) ^ (value >> 31));
}

export function writeVarint(buf: Uint8Array, offset: number, value: number): number {
  return writeUnsignedVarint(buf, offset, (value << 1) ^ (value >> 31));
}

export function readVarlong(buf: Uint8Array, offset: number): [value: bigint, next: number] {
  let raw = 0n;
  let shift = 0n;
  for (let i = 0; i < MAX_VARLONG_BYTES; i++) {
    if (offset >= buf.length) throw new VarintError('varlong runs past the end of the buffer');
    const byte = buf[offset++];
    raw |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [(raw >> 1n) ^ -(raw & 1n), offset];
    shift += 7n;
  }
  throw new VarintError('varlong is longer than 10 bytes');
}

function zigzag64(value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
}

export function varlongSize(value: bigint): number {
  let v = zigzag64(value);
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

export function writeVarlong(buf: Uint8Array, offset: number, value: bigint): number {
  let v = zigzag64(value);
  while (v >= 0x80n) {
    buf[offset++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[offset++] = Number(v);
  return offset;
}

/**
 * Zig-zag varlongs as plain numbers, for record fields (timestamp deltas) on hot paths where a bigint
 * per record would cost too much. Values must stay within ±2^52, far beyond any millisecond delta a
 * real batch holds; a value outside that range throws VarintError instead of losing precision.
 */
const TWO_POW_52 = 2 ** 52;
const TWO_POW_53 = 2 ** 53;

function zigzagNumber(value: number): number {
  if (!Number.isInteger(value) || value >= TWO_POW_52 || value < -TWO_POW_52) {
    throw new VarintError(`varlong ${value} is not an integer within ±2^52`);
  }
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/**
 * Reads a zig-zag varlong as a number. Throws VarintError past the buffer end, after 10 bytes, or
 * when the value needs more than 53 bits.
 *
 * @example const [delta, next] = readVarlongNumber(buf, pos);
 */
export function readVarlongNumber(buf: Uint8Array, offset: number): [value: number, next: number] {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARLONG_BYTES; i++) {
    if (offset >= buf.length) throw new VarintError('varlong runs past the end of the buffer');
    const byte = buf[offset++];
    raw += (byte & 0x7f) * scale;
    if (raw >= TWO_POW_53) throw new VarintError('varlong does not fit in a safe integer');
    if ((byte & 0x80) === 0) {
      // raw is exact here (< 2^53), so halving it is exact too.
      return [raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, offset];
    }
    scale *= 128;
  }
  throw new VarintError('varlong is longer than 10 bytes');
}

/** Encoded size of a zig-zag varlong given as a number (see readVarlongNumber for the range). */
export function varlongNumberSize(value: number): number {
  let v = zigzagNumber(value);
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Writes a zig-zag varlong given as a number; returns the offset just past it. */
export function writeVarlongNumber(buf: Uint8Array, offset: number, value: number): number {
  let v = zigzagNumber(value);
  while (v >= 0x80) {
    buf[offset++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[offset++] = v;
  return offset;
}
