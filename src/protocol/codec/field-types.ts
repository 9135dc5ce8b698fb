/**
 * What a field's `type` string means, and the values a field takes when it is not on the wire.
 *
 * Defaults may be written as JavaScript values (`-1`, `true`, `null`, `''`) or, for easy transcription
 * from Kafka's JSON, as Kafka's default strings (`'-1'`, `'0x7fffffff'`, `'true'`, `'null'`). Both mean
 * the same thing; the strings are converted once, when a schema is compiled.
 */
import { StreamError } from '../../common/errors.ts';
import type { FieldSchema, PrimitiveType } from '../schema/types.ts';
import { parseVersionRange } from '../schema/versions.ts';

const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveType>([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'bytes',
  'records',
  'uuid',
]);

const NUMERIC: ReadonlySet<string> = new Set([
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
]);

/** A parsed `type`: an array or not, of a primitive or of a struct (`primitive === null`). */
export interface TypeInfo {
  readonly array: boolean;
  readonly primitive: PrimitiveType | null;
}

/** Says which declaration is wrong; these are bugs in a schema file, caught when it is first compiled. */
export function schemaError(field: FieldSchema, problem: string): StreamError {
  return new StreamError('BRK_PROTOCOL_SCHEMA_INVALID', `field "${field.name}" (${field.type}): ${problem}`);
}

/** Parses `field.type` and checks it agrees with `field.fields`. */
export function typeInfo(field: FieldSchema): TypeInfo {
  const array = field.type.startsWith('[]');
  const base = array ? field.type.slice(2) : field.type;
  if (base === '') throw schemaError(field, 'empty type name');
  const primitive = PRIMITIVES.has(base) ? (base as PrimitiveType) : null;
  if (primitive === null && field.fields === undefined) {
    throw schemaError(field, `"${base}" is neither a primitive type nor declared with fields`);
  }
  if (primitive !== null && field.fields !== undefined) {
    throw schemaError(field, 'a primitive type cannot have nested fields');
  }
  return { array, primitive };
}

/** Whether the field may be null in at least one version (decides the zero value when absent). */
export function everNullable(field: FieldSchema): boolean {
  return field.nullableVersions !== undefined && parseVersionRange(field.nullableVersions) !== null;
}

/** The zero of a type, fresh on every call where the value is mutable. */
export function typeZero(info: TypeInfo, makeStruct: () => unknown): unknown {
  if (info.array) return [];
  switch (info.primitive) {
    case null:
      return makeStruct();
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

/**
 * The declared default converted to a JavaScript value, `undefined` if none is declared. Only scalars
 * and `null` (and `[]` for arrays) can be declared; struct defaults are built from their fields.
 */
export function declaredDefault(field: FieldSchema, info: TypeInfo): unknown {
  const d = field.default;
  if (d === undefined) return undefined;
  if (d === null || (d === 'null' && (info.array || info.primitive !== 'string' || everNullable(field)))) {
    if (!everNullable(field)) throw schemaError(field, 'default is null but the field is never nullable');
    return null;
  }
  if (info.array) {
    if (Array.isArray(d) && d.length === 0) return d;
    throw schemaError(field, 'an array default can only be null or []');
  }
  const p = info.primitive;
  if (p !== null && NUMERIC.has(p)) {
    const n = typeof d === 'string' ? Number(d) : d;
    if (typeof n !== 'number' || Number.isNaN(n))
      throw schemaError(field, `default ${String(d)} is not a number`);
    return n;
  }
  if (p === 'bool') {
    if (typeof d === 'boolean') return d;
    if (d === 'true' || d === 'false') return d === 'true';
    throw schemaError(field, `default ${String(d)} is not a boolean`);
  }
  if (p === 'string' && typeof d === 'string') return d;
  throw schemaError(field, `default ${String(d)} is not supported for this type`);
}
