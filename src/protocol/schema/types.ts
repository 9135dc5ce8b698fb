/**
 * Kafka message schemas, declared as data.
 *
 * One `MessageSchema` per API key describes the request and the response for every version eddy
 * serves. Fields follow the public protocol specification's vocabulary (version ranges, nullable and
 * tagged versions, flexible-version threshold) so a declaration can be checked against the spec line by
 * line; the codec engine (`../codec/`) interprets them. Names are camelCase JavaScript property names.
 *
 * Decoded values are plain objects. Integer types map to `number` (int64 included: offsets,
 * timestamps and producer ids stay far below 2^53 in practice, and plain numbers keep the hot path
 * cheap); `records` and `bytes` are `Buffer`s; `uuid` is a 16-byte `Buffer`.
 */

/**
 * A version range in the spec's notation: `'3+'` (3 and later), `'0-4'` (0 to 4 inclusive), `'2'` (only
 * 2) or `'none'`.
 */
export type VersionRange = string;

/** Primitive types of the protocol. `records` is a RecordBatch set carried as opaque bytes. */
export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface FieldSchema {
  name: string;
  /**
   * A primitive, `'[]<primitive>'` for an array of primitives, `'[]<StructName>'` with `fields` for an
   * array of structs, or `'<StructName>'` with `fields` for a single nested struct.
   */
  type: string;
  versions: VersionRange;
  /** Versions in which the value may be null (strings, bytes, records, arrays, structs). */
  nullableVersions?: VersionRange;
  /** Versions in which the field travels in the tagged-field section instead of in line. */
  taggedVersions?: VersionRange;
  tag?: number;
  /** Value used when the field is absent in the version being decoded (and left out when encoding). */
  default?: unknown;
  /** Nested fields, when `type` names a struct or an array of structs. */
  fields?: FieldSchema[];
}

export interface MessageSchema {
  apiKey: number;
  /** The API's name as the specification spells it, e.g. `'ApiVersions'`. */
  name: string;
  /** Versions this declaration describes (and eddy serves). */
  validVersions: VersionRange;
  /** First flexible version (compact encodings, tagged fields), or `'none'`. */
  flexibleVersions: VersionRange;
  request: FieldSchema[];
  response: FieldSchema[];
}
