/**
 * Compiles a list of field declarations, for one version, into a tree of closures that decode and
 * encode plain objects.
 *
 * All version questions (is the field present, tagged, nullable, is the version flexible) are answered
 * here, once; the closures that run per message only read and write. In flexible versions every struct
 * ends with a tagged-field section: known tags decode into their fields, unknown tags are skipped,
 * and on encode tagged fields are written in increasing tag order, leaving out those equal to their
 * default.
 */
import { StreamError } from '../../common/errors.ts';
import { malformed, type Reader } from '../primitives/reader.ts';
import type { Writer } from '../primitives/writer.ts';
import type { FieldSchema } from '../schema/types.ts';
import { inRange } from '../schema/versions.ts';
import {
  declaredDefault,
  everNullable,
  schemaError,
  type TypeInfo,
  typeInfo,
  typeZero,
} from './field-types.ts';
import { describe, invalidValue, scalarCodec, type ValueCodec } from './scalar-codecs.ts';

type Obj = Record<string, unknown>;

/** A compiled struct: its codec plus what the enclosing field needs to know about its defaults. */
export interface StructCodec extends ValueCodec {
  readonly decode: (r: Reader) => Obj;
  /** A fresh struct with every field at its default. */
  readonly makeDefault: () => Obj;
  /** Whether every field present in this version holds its default (undefined counts as default). */
  readonly isDefault: (v: unknown) => boolean;
}

interface FieldPlan {
  readonly name: string;
  /** present in this version, and where */
  readonly mode: 'absent' | 'inline' | 'tagged';
  readonly tag: number;
  readonly codec: ValueCodec;
  /** Value a decoded object gets when the field is absent from the version (or a tag is not sent). */
  readonly makeDefault: () => unknown;
  /** Value encoded when the caller left the field undefined. */
  readonly missing: () => unknown;
  readonly isDefault: (v: unknown) => boolean;
}

const NULLABLE_PRIMITIVES: ReadonlySet<string> = new Set(['string', 'bytes', 'records']);

/**
 * Adds one segment to the path of a codec error as it unwinds; errors from elsewhere (a TypeError in
 * a Buffer method) become `fallback` StreamErrors so callers only ever see the codec's codes.
 */
export function withPath(e: unknown, segment: string | number, fallback: 'decode' | 'encode'): StreamError {
  if (e instanceof StreamError) {
    const path = e.details.path;
    if (Array.isArray(path)) path.unshift(String(segment));
    return e;
  }
  const code = fallback === 'decode' ? 'BRK_PROTOCOL_MALFORMED' : 'BRK_PROTOCOL_INVALID_VALUE';
  const message = e instanceof Error ? e.message : String(e);
  return new StreamError(code, message, { cause: e, details: { path: [String(segment)] } });
}

/** Compiles `fields` for `version`; `flexible` is whether that version of the message is flexible. */
export function compileStruct(
  fields: readonly FieldSchema[],
  version: number,
  flexible: boolean,
): StructCodec {
  const plans = fields.map((f) => planField(f, version, flexible));
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw schemaError(f, 'declared twice in the same struct');
    seen.add(f.name);
  }
  const names = plans.map((p) => p.name);
  const readers = plans.map((p) => (p.mode === 'inline' ? p.codec.decode : p.makeDefault));
  const inline = plans.filter((p) => p.mode === 'inline');
  const tagged = plans.filter((p) => p.mode === 'tagged').sort((a, b) => a.tag - b.tag);
  const byTag = new Map<number, FieldPlan>();
  for (const p of tagged) {
    if (byTag.has(p.tag)) throw schemaError(fields[plans.indexOf(p)], `tag ${p.tag} is used twice`);
    byTag.set(p.tag, p);
  }
  const present = plans.filter((p) => p.mode !== 'absent');
  const count = names.length;

  const readTag = (tag: number, r: Reader, target: Obj): boolean => {
    const p = byTag.get(tag);
    if (p === undefined) return false;
    try {
      target[p.name] = p.codec.decode(r);
    } catch (e) {
      throw withPath(e, p.name, 'decode');
    }
    return true;
  };

  const decode = (r: Reader): Obj => {
    const obj: Obj = {};
    let i = 0;
    try {
      for (; i < count; i++) obj[names[i]] = readers[i](r);
    } catch (e) {
      throw withPath(e, names[i], 'decode');
    }
    if (flexible) r.readTaggedFields(obj, readTag);
    return obj;
  };

  const encode = (w: Writer, v: unknown): void => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Buffer.isBuffer(v)) {
      throw invalidValue(`expected an object, got ${describe(v)}`);
    }
    const o = v as Obj;
    let p: FieldPlan | undefined;
    try {
      for (p of inline) {
        const x = o[p.name];
        p.codec.encode(w, x === undefined ? p.missing() : x);
      }
      if (!flexible) return;
      p = undefined;
      let n = 0;
      for (const t of tagged) if (!t.isDefault(o[t.name])) n++;
      w.writeUnsignedVarint(n);
      for (p of tagged) {
        const x = o[p.name];
        if (p.isDefault(x)) continue;
        w.writeUnsignedVarint(p.tag);
        const mark = w.beginSized();
        p.codec.encode(w, x);
        w.endSized(mark);
      }
    } catch (e) {
      throw withPath(e, p === undefined ? '(tagged fields)' : p.name, 'encode');
    }
  };

  const makeDefault = (): Obj => {
    const obj: Obj = {};
    for (let i = 0; i < count; i++) obj[names[i]] = plans[i].makeDefault();
    return obj;
  };

  const isDefault = (v: unknown): boolean => {
    if (v === undefined) return true;
    if (typeof v !== 'object' || v === null) return false;
    const o = v as Obj;
    for (const p of present) if (!p.isDefault(o[p.name])) return false;
    return true;
  };

  let minSize = flexible ? 1 : 0;
  for (const p of inline) minSize += p.codec.minSize;
  return { decode, encode, minSize, makeDefault, isDefault };
}

function planField(field: FieldSchema, version: number, flexible: boolean): FieldPlan {
  const info = typeInfo(field);
  const present = inRange(field.versions, version);
  const isTagged = present && inRange(field.taggedVersions, version);
  if (isTagged && !flexible) throw schemaError(field, `tagged in version ${version}, which is not flexible`);
  if (isTagged && (field.tag === undefined || !Number.isInteger(field.tag) || field.tag < 0)) {
    throw schemaError(field, 'has taggedVersions but no valid tag');
  }
  const nullable = present && inRange(field.nullableVersions, version);
  const struct = info.primitive === null ? compileStruct(field.fields ?? [], version, flexible) : null;
  const zero = (): unknown => typeZero(info, () => (struct as StructCodec).makeDefault());

  const declared = declaredDefault(field, info);
  let makeDefault: () => unknown;
  if (Array.isArray(declared)) makeDefault = () => [];
  else if (declared !== undefined) makeDefault = () => declared;
  else if (everNullable(field)) makeDefault = () => null;
  else if (info.array || info.primitive === null || info.primitive === 'uuid') makeDefault = zero;
  else {
    const constant = zero();
    // Empty byte strings are shared: nothing can be written into a zero-length Buffer.
    makeDefault = () => constant;
  }
  const missing = nullable ? makeDefault : () => makeDefault() ?? zero();

  const codec = present ? valueCodec(field, info, struct, flexible, nullable, isTagged) : NO_CODEC;
  return {
    name: field.name,
    mode: present ? (isTagged ? 'tagged' : 'inline') : 'absent',
    tag: field.tag ?? -1,
    codec,
    makeDefault,
    missing,
    isDefault: defaultTest(info, struct, makeDefault()),
  };
}

const NO_CODEC: ValueCodec = {
  decode: () => undefined,
  encode: () => {},
  minSize: 0,
};

function valueCodec(
  field: FieldSchema,
  info: TypeInfo,
  struct: StructCodec | null,
  flexible: boolean,
  nullable: boolean,
  tagged: boolean,
): ValueCodec {
  if (info.array) {
    const element =
      info.primitive === null ? (struct as StructCodec) : scalarCodec(info.primitive, flexible, false);
    return arrayCodec(element, flexible, nullable);
  }
  if (info.primitive !== null) {
    if (nullable && !NULLABLE_PRIMITIVES.has(info.primitive)) {
      throw schemaError(field, `a ${info.primitive} cannot be nullable`);
    }
    return scalarCodec(info.primitive, flexible, nullable);
  }
  return nullable ? nullableStructCodec(struct as StructCodec, tagged) : (struct as StructCodec);
}

/** Whether a value equals the field's default; `undefined` always does (the caller left it out). */
function defaultTest(info: TypeInfo, struct: StructCodec | null, def: unknown): (v: unknown) => boolean {
  if (def === null) return (v) => v === undefined || v === null;
  if (info.array) return (v) => v === undefined || (Array.isArray(v) && v.length === 0);
  if (struct !== null) return struct.isDefault;
  if (info.primitive === 'uuid') {
    return (v) => v === undefined || (v instanceof Uint8Array && v.length === 16 && v.every((b) => b === 0));
  }
  if (info.primitive === 'bytes' || info.primitive === 'records') {
    return (v) => v === undefined || (v instanceof Uint8Array && v.length === 0);
  }
  return (v) => v === undefined || v === def;
}

function arrayCodec(element: ValueCodec, flexible: boolean, nullable: boolean): ValueCodec {
  const elementDecode = element.decode;
  const elementEncode = element.encode;
  const minElement = element.minSize;
  const decode = (r: Reader): unknown => {
    const start = r.offset;
    const n = flexible ? r.readCompactArrayLength(minElement) : r.readArrayLength(minElement);
    if (n < 0) {
      if (nullable) return null;
      throw malformed('array', start, 'null in a non-nullable array');
    }
    const out: unknown[] = [];
    let i = 0;
    try {
      for (; i < n; i++) out.push(elementDecode(r));
    } catch (e) {
      throw withPath(e, i, 'decode');
    }
    return out;
  };
  const encode = (w: Writer, v: unknown): void => {
    if (v === null && nullable) {
      if (flexible) w.writeCompactArrayLength(null);
      else w.writeArrayLength(null);
      return;
    }
    if (!Array.isArray(v))
      throw invalidValue(`expected ${nullable ? 'an array or null' : 'an array'}, got ${describe(v)}`);
    if (flexible) w.writeCompactArrayLength(v.length);
    else w.writeArrayLength(v.length);
    let i = 0;
    try {
      for (; i < v.length; i++) elementEncode(w, v[i]);
    } catch (e) {
      throw withPath(e, i, 'encode');
    }
  };
  return { decode, encode, minSize: flexible ? 1 : 4 };
}

/**
 * A struct that may be null: a presence marker precedes it. Kafka's generated code uses an int8 (-1
 * null, 1 present) in line, and an unsigned varint (0 null, 1 present) inside a tagged field.
 */
function nullableStructCodec(struct: StructCodec, tagged: boolean): ValueCodec {
  const decode = (r: Reader): unknown => {
    const present = tagged ? r.readUnsignedVarint('struct presence marker') > 0 : r.readInt8() >= 0;
    return present ? struct.decode(r) : null;
  };
  const encode = (w: Writer, v: unknown): void => {
    if (v === null) {
      if (tagged) w.writeUnsignedVarint(0);
      else w.writeInt8(-1);
      return;
    }
    if (tagged) w.writeUnsignedVarint(1);
    else w.writeInt8(1);
    struct.encode(w, v);
  };
  return { decode, encode, minSize: 1 };
}
