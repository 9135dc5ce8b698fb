/**
 * The codec engine: one interpreter for every message schema and version.
 *
 * Each (schema, version, direction) is compiled once into a closure tree (see `compile.ts`) and cached
 * against the schema's field list, so the broker's per-request cost is a WeakMap lookup plus the reads.
 * Errors carry the message name, version and the path of the field that failed
 * (`/topics/0/partitions/3/records`).
 */
import { StreamError } from '../../common/errors.ts';
import type { Reader } from '../primitives/reader.ts';
import type { Writer } from '../primitives/writer.ts';
import type { MessageSchema } from '../schema/types.ts';
import { inRange } from '../schema/versions.ts';
import { compileStruct, type StructCodec } from './compile.ts';

/** A decoded message body: a plain object keyed by the schema's camelCase field names. */
export type MessageBody = Record<string, unknown>;

/** Which half of an API a body belongs to. */
export type Direction = 'request' | 'response';

/** Compiled bodies per schema: index 0 requests, 1 responses, each indexed by version. */
const cache = new WeakMap<MessageSchema, [StructCodec[], StructCodec[]]>();

/**
 * The compiled codec of one body. Throws BRK_PROTOCOL_UNSUPPORTED_VERSION outside the schema's
 * validVersions and BRK_PROTOCOL_SCHEMA_INVALID if the declaration itself is inconsistent.
 */
export function bodyCodec(schema: MessageSchema, version: number, direction: Direction): StructCodec {
  let compiled = cache.get(schema);
  if (compiled === undefined) {
    compiled = [[], []];
    cache.set(schema, compiled);
  }
  const byVersion = compiled[direction === 'request' ? 0 : 1];
  const hit = byVersion[version];
  if (hit !== undefined) return hit;
  if (!Number.isInteger(version) || version < 0 || !inRange(schema.validVersions, version)) {
    throw new StreamError(
      'BRK_PROTOCOL_UNSUPPORTED_VERSION',
      `${schema.name} version ${version} is not declared (valid versions: ${schema.validVersions})`,
      { details: { apiKey: schema.apiKey, version } },
    );
  }
  const fields = direction === 'request' ? schema.request : schema.response;
  const codec = compileStruct(fields, version, inRange(schema.flexibleVersions, version));
  byVersion[version] = codec;
  return codec;
}

function label(schema: MessageSchema, version: number, direction: Direction): string {
  return `${schema.name}${direction === 'request' ? 'Request' : 'Response'} v${version}`;
}

/** Rewrites a codec error so its message names the message, the version and the field path. */
function located(
  e: unknown,
  schema: MessageSchema,
  version: number,
  direction: Direction,
  verb: string,
): unknown {
  if (!(e instanceof StreamError)) return e;
  if (e.code !== 'BRK_PROTOCOL_MALFORMED' && e.code !== 'BRK_PROTOCOL_INVALID_VALUE') return e;
  const segments = Array.isArray(e.details.path) ? (e.details.path as string[]) : [];
  const path = `/${segments.join('/')}`;
  const hint =
    e.code === 'BRK_PROTOCOL_MALFORMED'
      ? 'the peer sent bytes that do not match the version it announced'
      : 'fix the value built for this field';
  return new StreamError(
    e.code,
    `cannot ${verb} ${label(schema, version, direction)}: ${e.message} (field ${path}); ${hint}`,
    { cause: e, details: { ...e.details, path, apiKey: schema.apiKey, version, direction } },
  );
}

function decodeBody<T>(schema: MessageSchema, version: number, direction: Direction, reader: Reader): T {
  const codec = bodyCodec(schema, version, direction);
  try {
    return codec.decode(reader) as T;
  } catch (e) {
    throw located(e, schema, version, direction, 'decode');
  }
}

function encodeBody(
  schema: MessageSchema,
  version: number,
  direction: Direction,
  value: unknown,
  w: Writer,
): void {
  const codec = bodyCodec(schema, version, direction);
  try {
    codec.encode(w, value);
  } catch (e) {
    throw located(e, schema, version, direction, 'encode');
  }
}

/**
 * Decodes a request body (the bytes after the request header). `T` is the caller's view of the body's
 * shape; nothing checks it against the schema beyond the decoding itself. Fields absent in `version`
 * come back with their default. Throws StreamError 'BRK_PROTOCOL_MALFORMED' for bytes that do not decode.
 *
 * @example
 * const body = decodeRequestBody<MetadataRequest>(METADATA, 12, reader);
 */
export function decodeRequestBody<T = MessageBody>(
  schema: MessageSchema,
  version: number,
  reader: Reader,
): T {
  return decodeBody<T>(schema, version, 'request', reader);
}

/** Decodes a response body (the bytes after the response header). See `decodeRequestBody`. */
export function decodeResponseBody<T = MessageBody>(
  schema: MessageSchema,
  version: number,
  reader: Reader,
): T {
  return decodeBody<T>(schema, version, 'response', reader);
}

/**
 * Encodes a request body. Fields absent in `version` are ignored; fields left undefined are written
 * as their default (or their type's zero). Throws StreamError 'BRK_PROTOCOL_INVALID_VALUE' for a value
 * that does not fit its field.
 *
 * @example
 * encodeRequestBody(API_VERSIONS, 3, { clientSoftwareName: 'eddy', clientSoftwareVersion: '0.1.0' }, w);
 */
export function encodeRequestBody(
  schema: MessageSchema,
  version: number,
  value: unknown,
  writer: Writer,
): void {
  encodeBody(schema, version, 'request', value, writer);
}

/** Encodes a response body. See `encodeRequestBody`. */
export function encodeResponseBody(
  schema: MessageSchema,
  version: number,
  value: unknown,
  writer: Writer,
): void {
  encodeBody(schema, version, 'response', value, writer);
}
