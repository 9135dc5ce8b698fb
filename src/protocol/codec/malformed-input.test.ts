/**
 * Bytes from a peer cannot crash the decoder with anything but StreamError 'BRK_PROTOCOL_MALFORMED':
 * every strict prefix of a valid body must be rejected (the decoder needs the last byte), and randomly
 * corrupted bodies must either decode or be rejected that way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import {
  API_VERSIONS_SCHEMA,
  FETCH_SCHEMA,
  LIST_OFFSETS_SCHEMA,
  METADATA_SCHEMA,
  PRODUCE_SCHEMA,
} from '../messages/index.ts';
import { Reader } from '../primitives/reader.ts';
import { Writer } from '../primitives/writer.ts';
import type { MessageSchema } from '../schema/types.ts';
import { decodeRequestBody, decodeResponseBody, encodeRequestBody, encodeResponseBody } from './index.ts';
import { randomBody, seededRandom } from './random-value.ts';

const SEED = Number(process.env.EDDY_PROTOCOL_SEED ?? Math.floor(Math.random() * 2 ** 32));

const CASES: [MessageSchema, number, 'request' | 'response'][] = [
  [API_VERSIONS_SCHEMA, 0, 'response'],
  [API_VERSIONS_SCHEMA, 3, 'request'],
  [API_VERSIONS_SCHEMA, 3, 'response'],
  [METADATA_SCHEMA, 1, 'request'],
  [METADATA_SCHEMA, 12, 'response'],
  [PRODUCE_SCHEMA, 7, 'request'],
  [FETCH_SCHEMA, 4, 'response'],
  [FETCH_SCHEMA, 12, 'request'],
  [FETCH_SCHEMA, 12, 'response'],
  [LIST_OFFSETS_SCHEMA, 5, 'response'],
];

function encode(schema: MessageSchema, version: number, dir: 'request' | 'response', body: unknown): Buffer {
  const w = new Writer();
  if (dir === 'request') encodeRequestBody(schema, version, body, w);
  else encodeResponseBody(schema, version, body, w);
  return w.finish();
}

function decode(schema: MessageSchema, version: number, dir: 'request' | 'response', bytes: Buffer): void {
  const r = new Reader(bytes);
  if (dir === 'request') decodeRequestBody(schema, version, r);
  else decodeResponseBody(schema, version, r);
}

const isMalformed = (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_MALFORMED');

describe(`truncated and corrupted bodies (seed ${SEED})`, () => {
  for (const [schema, version, dir] of CASES) {
    it(`${schema.name} v${version} ${dir}: every truncation throws BRK_PROTOCOL_MALFORMED`, () => {
      const rand = seededRandom(SEED ^ (schema.apiKey * 100 + version));
      for (let sample = 0; sample < 5; sample++) {
        const bytes = encode(schema, version, dir, randomBody(schema, version, dir, rand));
        for (let cut = 0; cut < bytes.length; cut++) {
          // A copy, so nothing past the cut is reachable even by a reader that ignored its end.
          const prefix = Buffer.from(bytes.subarray(0, cut));
          assert.throws(
            () => decode(schema, version, dir, prefix),
            isMalformed,
            `seed ${SEED}: cut at ${cut}`,
          );
        }
      }
    });

    it(`${schema.name} v${version} ${dir}: corrupted bytes decode or throw BRK_PROTOCOL_MALFORMED`, () => {
      const rand = seededRandom(SEED ^ (schema.apiKey * 100 + version + 7));
      for (let sample = 0; sample < 200; sample++) {
        const bytes = Buffer.from(encode(schema, version, dir, randomBody(schema, version, dir, rand)));
        if (bytes.length === 0) continue;
        const flips = 1 + Math.floor(rand() * 3);
        for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        try {
          decode(schema, version, dir, bytes);
        } catch (e) {
          assert.ok(isMalformed(e), `seed ${SEED}, sample ${sample}: unexpected ${String(e)}`);
        }
      }
    });
  }

  it('names the message, version and field path when a frame is cut short', () => {
    const body = { topics: [{ topicId: Buffer.alloc(16), name: 'orders' }] };
    const w = new Writer();
    encodeRequestBody(METADATA_SCHEMA, 1, body, w);
    const bytes = w.finish();
    assert.throws(
      () => decodeRequestBody(METADATA_SCHEMA, 1, new Reader(bytes.subarray(0, bytes.length - 2))),
      (e: unknown) =>
        isMalformed(e) &&
        /MetadataRequest v1: string at byte 6: needs 6 bytes but only 4 remain \(field \/topics\/0\/name\)/.test(
          (e as Error).message,
        ),
    );
  });
});
