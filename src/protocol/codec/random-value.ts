/**
 * Random message bodies generated from a schema, for property tests and fuzzing.
 *
 * Works from the declarations alone, so every schema added to the registry is covered without new
 * test code. The defaults it expects for fields absent from a version are worked out here again, from
 * the schema format's rules, rather than taken from the codec: the tests compare the two.
 */

import type { Random } from '../../common/random.ts';
import type { FieldSchema, MessageSchema, PrimitiveType } from '../schema/types.ts';
import { inRange } from '../schema/versions.ts';

export { type Random, seededRandom } from '../../common/random.ts';

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64']);
const BYTE_STRINGS = new Set(['string', 'bytes', 'records', 'uuid']);
// ASCII, Latin-1, CJK, an astral emoji (a surrogate pair in JS) and a combining mark.
const CHARS = ['a', 'Z', '0', '-', '.', '_', ' ', 'é', 'ß', 'ø', 'π', '中', '文', '😀', '\u0301'];

function pick<T>(rand: Random, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function int(rand: Random, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function baseType(field: FieldSchema): { array: boolean; base: string } {
  const array = field.type.startsWith('[]');
  return { array, base: array ? field.type.slice(2) : field.type };
}

function isStruct(base: string): boolean {
  return !PRIMITIVES.has(base) && !BYTE_STRINGS.has(base);
}

/** The value a decoder must produce for a field that is not on the wire. */
export function expectedDefault(field: FieldSchema): unknown {
  const { array, base } = baseType(field);
  if (field.default !== undefined) {
    const d = field.default;
    if (d === 'null') return null;
    if (Array.isArray(d)) return [];
    if (typeof d === 'string' && base === 'bool') return d === 'true';
    if (typeof d === 'string' && base !== 'string') return Number(d);
    return d;
  }
  if (field.nullableVersions !== undefined && field.nullableVersions !== 'none') return null;
  if (array) return [];
  if (isStruct(base)) return structDefault(field.fields ?? []);
  switch (base) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    case 'uuid':
      return Buffer.alloc(16);
    default:
      return 0;
  }
}

function structDefault(fields: readonly FieldSchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = expectedDefault(f);
  return out;
}

function randomString(rand: Random): string {
  let s = '';
  const n = int(rand, 0, 8);
  for (let i = 0; i < n; i++) s += pick(rand, CHARS);
  return s;
}

function randomBuffer(rand: Random, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = int(rand, 0, 255);
  return b;
}

function randomPrimitive(rand: Random, type: PrimitiveType): unknown {
  switch (type) {
    case 'bool':
      return rand() < 0.5;
    case 'int8':
      return int(rand, -128, 127);
    case 'int16':
      return int(rand, -32768, 32767);
    case 'uint16':
      return int(rand, 0, 65535);
    case 'int32':
      return int(rand, -2147483648, 2147483647);
    case 'uint32':
      return int(rand, 0, 4294967295);
    case 'int64':
      return rand() < 0.3
        ? pick(rand, [-1, 0, 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, -(2 ** 32) - 1])
        : int(rand, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case 'float64':
      return rand() < 0.2
        ? pick(rand, [0, -0, 1.5, Number.MAX_VALUE, -Infinity, Number.NaN])
        : (rand() - 0.5) * 1e9;
    case 'string':
      return randomString(rand);
    case 'bytes':
    case 'records':
      return randomBuffer(rand, int(rand, 0, 12));
    case 'uuid':
      return randomBuffer(rand, 16);
  }
}

function randomField(rand: Random, field: FieldSchema, version: number): unknown {
  if (!inRange(field.versions, version)) return expectedDefault(field);
  // Tagged fields are left at their default ("unset") a third of the time.
  if (inRange(field.taggedVersions, version) && rand() < 0.33) return expectedDefault(field);
  if (inRange(field.nullableVersions, version) && rand() < 0.2) return null;
  const { array, base } = baseType(field);
  const one = (): unknown =>
    isStruct(base)
      ? randomStruct(rand, field.fields ?? [], version)
      : randomPrimitive(rand, base as PrimitiveType);
  if (!array) return one();
  const out: unknown[] = [];
  const n = int(rand, 0, 3);
  for (let i = 0; i < n; i++) out.push(one());
  return out;
}

function randomStruct(
  rand: Random,
  fields: readonly FieldSchema[],
  version: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = randomField(rand, f, version);
  return out;
}

/**
 * A random body of `schema` at `version`, shaped exactly as the decoder returns it: every declared
 * field is set, those absent from `version` to their default.
 *
 * @example randomBody(API_VERSIONS_SCHEMA, 3, 'response', seededRandom(1))
 */
export function randomBody(
  schema: MessageSchema,
  version: number,
  direction: 'request' | 'response',
  rand: Random,
): Record<string, unknown> {
  return randomStruct(rand, direction === 'request' ? schema.request : schema.response, version);
}
