/**
 * Read/write closures for one primitive in one encoding (classic or compact, nullable or not).
 *
 * Encoders check the value against the type before writing, because the Writer itself does not: a
 * handler that puts 70000 in an int16 should fail loudly with the field's path, not wrap silently.
 */
import { StreamError } from '../../common/errors.ts';
import type { Reader } from '../primitives/reader.ts';
import type { Writer } from '../primitives/writer.ts';
import type { PrimitiveType } from '../schema/types.ts';

/** A compiled reader and writer for one field shape, plus the fewest bytes it can occupy. */
export interface ValueCodec {
  readonly decode: (r: Reader) => unknown;
  readonly encode: (w: Writer, v: unknown) => void;
  readonly minSize: number;
}

/** The error for a value that does not fit its field; the codec adds the path while unwinding. */
export function invalidValue(problem: string): StreamError {
  return new StreamError('BRK_PROTOCOL_INVALID_VALUE', problem, { details: { path: [] as string[] } });
}

/** Short description of a value for error messages (never the whole value: it may be a large buffer). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `a ${v.length}-byte Buffer`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function bad(type: string, v: unknown): StreamError {
  return invalidValue(`expected ${type}, got ${describe(v)}`);
}

type Check = (v: unknown) => boolean;

function fixed(
  type: string,
  size: number,
  check: Check,
  read: (r: Reader) => unknown,
  write: (w: Writer, v: number) => void,
): ValueCodec {
  return {
    decode: read,
    encode: (w, v) => {
      if (!check(v)) throw bad(type, v);
      write(w, v as number);
    },
    minSize: size,
  };
}

const isInt8: Check = (v) => typeof v === 'number' && (v << 24) >> 24 === v;
const isInt16: Check = (v) => typeof v === 'number' && (v << 16) >> 16 === v;
const isUInt16: Check = (v) => typeof v === 'number' && (v & 0xffff) === v;
const isInt32: Check = (v) => typeof v === 'number' && (v | 0) === v;
const isUInt32: Check = (v) => typeof v === 'number' && v >>> 0 === v;
const isInteger: Check = (v) => Number.isInteger(v);
const isNumber: Check = (v) => typeof v === 'number';

/**
 * The codec for a primitive field. `flexible` picks compact lengths; `nullable` allows null where the
 * encoding has a null marker (strings, bytes, records).
 */
export function scalarCodec(type: PrimitiveType, flexible: boolean, nullable: boolean): ValueCodec {
  switch (type) {
    case 'bool':
      return {
        decode: (r) => r.readBool(),
        encode: (w, v) => {
          if (typeof v !== 'boolean') throw bad('bool', v);
          w.writeBool(v);
        },
        minSize: 1,
      };
    case 'int8':
      return fixed(
        'int8',
        1,
        isInt8,
        (r) => r.readInt8(),
        (w, v) => w.writeInt8(v),
      );
    case 'int16':
      return fixed(
        'int16',
        2,
        isInt16,
        (r) => r.readInt16(),
        (w, v) => w.writeInt16(v),
      );
    case 'uint16':
      return fixed(
        'uint16',
        2,
        isUInt16,
        (r) => r.readUInt16(),
        (w, v) => w.writeUInt16(v),
      );
    case 'int32':
      return fixed(
        'int32',
        4,
        isInt32,
        (r) => r.readInt32(),
        (w, v) => w.writeInt32(v),
      );
    case 'uint32':
      return fixed(
        'uint32',
        4,
        isUInt32,
        (r) => r.readUInt32(),
        (w, v) => w.writeUInt32(v),
      );
    case 'int64':
      return fixed(
        'int64 (an integer number)',
        8,
        isInteger,
        (r) => r.readInt64(),
        (w, v) => w.writeInt64(v),
      );
    case 'float64':
      return fixed(
        'float64',
        8,
        isNumber,
        (r) => r.readFloat64(),
        (w, v) => w.writeFloat64(v),
      );
    case 'uuid':
      return {
        decode: (r) => r.readUuid(),
        encode: (w, v) => {
          if (!(v instanceof Uint8Array) || v.length !== 16) throw bad('a 16-byte uuid Buffer', v);
          w.writeRaw(v);
        },
        minSize: 16,
      };
    case 'string':
      return stringCodec(flexible, nullable);
    case 'bytes':
    case 'records':
      return bytesCodec(flexible, nullable);
  }
}

function stringCodec(flexible: boolean, nullable: boolean): ValueCodec {
  const decode: (r: Reader) => unknown = flexible
    ? nullable
      ? (r) => r.readCompactNullableString()
      : (r) => r.readCompactString()
    : nullable
      ? (r) => r.readNullableString()
      : (r) => r.readString();
  const encode = (w: Writer, v: unknown): void => {
    if (typeof v === 'string') {
      if (flexible) w.writeCompactString(v);
      else w.writeString(v);
    } else if (v === null && nullable) {
      if (flexible) w.writeUnsignedVarint(0);
      else w.writeInt16(-1);
    } else {
      throw bad(nullable ? 'string or null' : 'string', v);
    }
  };
  return { decode, encode, minSize: flexible ? 1 : 2 };
}

function bytesCodec(flexible: boolean, nullable: boolean): ValueCodec {
  const decode: (r: Reader) => unknown = flexible
    ? nullable
      ? (r) => r.readCompactNullableBytes()
      : (r) => r.readCompactBytes()
    : nullable
      ? (r) => r.readNullableBytes()
      : (r) => r.readBytes();
  const encode = (w: Writer, v: unknown): void => {
    if (v instanceof Uint8Array) {
      if (flexible) w.writeCompactBytes(v);
      else w.writeBytes(v);
    } else if (v === null && nullable) {
      if (flexible) w.writeUnsignedVarint(0);
      else w.writeInt32(-1);
    } else {
      throw bad(nullable ? 'Buffer or null' : 'Buffer', v);
    }
  };
  return { decode, encode, minSize: flexible ? 1 : 4 };
}
