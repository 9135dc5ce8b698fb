/**
 * The Kafka wire protocol, without I/O: primitives, message schemas, the codec engine, headers and
 * frames. The broker and eddy's own client build on this surface only.
 *
 * @example
 * import { encodeRequestFrame, API_VERSIONS_SCHEMA } from './protocol/index.ts';
 * const bytes = encodeRequestFrame(API_VERSIONS_SCHEMA, { apiVersion: 3, correlationId: 1, clientId: 'eddy' }, {});
 */
export {
  bodyCodec,
  type Direction,
  decodeRequestBody,
  decodeResponseBody,
  encodeRequestBody,
  encodeResponseBody,
  type MessageBody,
} from './codec/index.ts';
export {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  type RequestFrameHeader,
} from './frame.ts';
export {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  peekRequestHeader,
  type RequestHeader,
  type RequestHeaderPeek,
  type RequestHeaderVersion,
  type ResponseHeader,
  type ResponseHeaderVersion,
  requestHeaderVersion,
  responseHeaderVersion,
} from './headers.ts';
export {
  API_VERSIONS_SCHEMA,
  FETCH_SCHEMA,
  LIST_OFFSETS_SCHEMA,
  MESSAGE_SCHEMAS,
  METADATA_SCHEMA,
  PRODUCE_SCHEMA,
  schemaFor,
} from './messages/index.ts';
export { Reader } from './primitives/reader.ts';
export { Writer } from './primitives/writer.ts';
export type { FieldSchema, MessageSchema, PrimitiveType, VersionRange } from './schema/types.ts';
export { inRange, listVersions, parseVersionRange, type VersionBounds } from './schema/versions.ts';
export * from './varint.ts';
