/**
 * Whole messages: size prefix, header and body together.
 *
 * Encoders return the bytes ready for the socket, size prefix included. Decoders take the payload
 * (the bytes after the size prefix), which is what a framing layer hands over once a whole message
 * has arrived.
 */
import { StreamError } from '../common/errors.ts';
import {
  decodeRequestBody,
  decodeResponseBody,
  encodeRequestBody,
  encodeResponseBody,
  type MessageBody,
} from './codec/index.ts';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  peekRequestHeader,
  type RequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from './headers.ts';
import { Reader } from './primitives/reader.ts';
import { Writer } from './primitives/writer.ts';
import type { MessageSchema } from './schema/types.ts';

/** What a request frame carries besides its body; the api key comes from the schema. */
export interface RequestFrameHeader {
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

function sizePrefixed(write: (w: Writer) => void): Buffer {
  const w = new Writer(512);
  w.writeInt32(0);
  write(w);
  w.writeInt32At(0, w.length - 4);
  return w.finish();
}

/**
 * A complete request frame.
 *
 * @example
 * socket.write(encodeRequestFrame(API_VERSIONS, { apiVersion: 3, correlationId: 1, clientId: 'eddy' }, {}));
 */
export function encodeRequestFrame(schema: MessageSchema, header: RequestFrameHeader, body: unknown): Buffer {
  return sizePrefixed((w) => {
    const { apiVersion } = header;
    encodeRequestHeader(w, requestHeaderVersion(schema, apiVersion), { ...header, apiKey: schema.apiKey });
    encodeRequestBody(schema, apiVersion, body, w);
  });
}

/**
 * Decodes a request payload whose api key is `schema`'s (check it first with `peekRequestHeader`).
 * Bytes left after the body are ignored.
 */
export function decodeRequestFrame<T = MessageBody>(
  schema: MessageSchema,
  payload: Buffer,
): { header: RequestHeader; body: T } {
  const { apiKey, apiVersion } = peekRequestHeader(payload);
  if (apiKey !== schema.apiKey) {
    throw new StreamError(
      'BRK_PROTOCOL_INVALID_VALUE',
      `request has api key ${apiKey} but was handed to the ${schema.name} (${schema.apiKey}) decoder`,
    );
  }
  const r = new Reader(payload);
  const header = decodeRequestHeader(r, requestHeaderVersion(schema, apiVersion));
  return { header, body: decodeRequestBody<T>(schema, apiVersion, r) };
}

/**
 * A complete response frame; the header version follows the API version (v0 for ApiVersions).
 *
 * @example
 * socket.write(encodeResponseFrame(METADATA, 12, header.correlationId, response));
 */
export function encodeResponseFrame(
  schema: MessageSchema,
  apiVersion: number,
  correlationId: number,
  body: unknown,
): Buffer {
  return sizePrefixed((w) => {
    encodeResponseHeader(w, responseHeaderVersion(schema, apiVersion), { correlationId });
    encodeResponseBody(schema, apiVersion, body, w);
  });
}

/** Decodes a response payload for a request sent at `apiVersion`. */
export function decodeResponseFrame<T = MessageBody>(
  schema: MessageSchema,
  apiVersion: number,
  payload: Buffer,
): { correlationId: number; body: T } {
  const r = new Reader(payload);
  const { correlationId } = decodeResponseHeader(r, responseHeaderVersion(schema, apiVersion));
  return { correlationId, body: decodeResponseBody<T>(schema, apiVersion, r) };
}
