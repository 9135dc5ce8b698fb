/**
 * Request and response headers (RequestHeader.json / ResponseHeader.json).
 *
 * Written by hand rather than as schemas because of two exceptions the schema format has no words
 * for: the request header's client_id stays a classic (non-compact) string even in header v2, so any
 * broker can read the header of an ApiVersions request of any version; and ApiVersions responses always
 * use response header v0 (KIP-511), so a client can read the reply before it knows which versions the
 * broker speaks.
 */
import { malformed, Reader } from './primitives/reader.ts';
import type { Writer } from './primitives/writer.ts';
import type { MessageSchema } from './schema/types.ts';
import { inRange } from './schema/versions.ts';

const API_VERSIONS_KEY = 18;

/** Request header versions: 0 (no client id, ControlledShutdown v0 only), 1 (classic) and 2 (flexible). */
export type RequestHeaderVersion = 0 | 1 | 2;
/** Response header versions: 0 (classic) and 1 (flexible). */
export type ResponseHeaderVersion = 0 | 1;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Null when the client sent none (and always in header v0). */
  clientId: string | null;
}

export interface ResponseHeader {
  correlationId: number;
}

/** The first three request header fields, common to every header version. */
export interface RequestHeaderPeek {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

type HeaderSchema = Pick<MessageSchema, 'apiKey' | 'flexibleVersions'>;

/**
 * Request header version for an API version: 2 when the API version is flexible, else 1.
 *
 * @example requestHeaderVersion(METADATA, 9) // 2
 */
export function requestHeaderVersion(schema: HeaderSchema, apiVersion: number): RequestHeaderVersion {
  return inRange(schema.flexibleVersions, apiVersion) ? 2 : 1;
}

/**
 * Response header version for an API version: 1 when flexible, else 0; always 0 for ApiVersions.
 *
 * @example responseHeaderVersion(API_VERSIONS, 3) // 0
 */
export function responseHeaderVersion(schema: HeaderSchema, apiVersion: number): ResponseHeaderVersion {
  if (schema.apiKey === API_VERSIONS_KEY) return 0;
  return inRange(schema.flexibleVersions, apiVersion) ? 1 : 0;
}

/** Reads a request header; in v2 its tagged fields (none are defined) are skipped. */
export function decodeRequestHeader(r: Reader, version: RequestHeaderVersion): RequestHeader {
  const apiKey = r.readInt16();
  const apiVersion = r.readInt16();
  const correlationId = r.readInt32();
  const clientId = version >= 1 ? r.readNullableString() : null;
  if (version >= 2) r.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Writes a request header. */
export function encodeRequestHeader(w: Writer, version: RequestHeaderVersion, header: RequestHeader): void {
  w.writeInt16(header.apiKey);
  w.writeInt16(header.apiVersion);
  w.writeInt32(header.correlationId);
  if (version >= 1) w.writeNullableString(header.clientId);
  if (version >= 2) w.writeEmptyTaggedFields();
}

/** Reads a response header. */
export function decodeResponseHeader(r: Reader, version: ResponseHeaderVersion): ResponseHeader {
  const correlationId = r.readInt32();
  if (version >= 1) r.skipTaggedFields();
  return { correlationId };
}

/** Writes a response header. */
export function encodeResponseHeader(
  w: Writer,
  version: ResponseHeaderVersion,
  header: ResponseHeader,
): void {
  w.writeInt32(header.correlationId);
  if (version >= 1) w.writeEmptyTaggedFields();
}

/**
 * Reads api_key, api_version and correlation_id from a request payload (the bytes after the 4-byte size
 * prefix) without decoding anything else, so the broker can answer a request whose version it cannot
 * parse (UNSUPPORTED_VERSION) with the right correlation id.
 *
 * @example
 * const { apiKey, apiVersion, correlationId } = peekRequestHeader(payload);
 */
export function peekRequestHeader(payload: Buffer): RequestHeaderPeek {
  if (payload.length < 8) {
    throw malformed(
      'request header',
      0,
      `needs 8 bytes for api key, version and correlation id, got ${payload.length}`,
    );
  }
  const r = new Reader(payload);
  return { apiKey: r.readInt16(), apiVersion: r.readInt16(), correlationId: r.readInt32() };
}
