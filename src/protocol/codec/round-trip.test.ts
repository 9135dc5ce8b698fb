/**
 * Property: for every registered schema, every served version and both directions, a random body
 * survives encode → decode unchanged, the decoder consumes exactly the bytes written, and re-encoding
 * the decoded body gives the same bytes. Bodies come from the schema alone (random-value.ts), so
 * schemas added to the registry later are covered without touching this file.
 *
 * The seed is random per run and printed on failure; replay with EDDY_PROTOCOL_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGE_SCHEMAS } from '../messages/index.ts';
import { Reader } from '../primitives/reader.ts';
import { Writer } from '../primitives/writer.ts';
import type { MessageSchema } from '../schema/types.ts';
import { inRange, listVersions } from '../schema/versions.ts';
import { decodeRequestBody, decodeResponseBody, encodeRequestBody, encodeResponseBody } from './index.ts';
import { randomBody, seededRandom } from './random-value.ts';

const SEED = Number(process.env.EDDY_PROTOCOL_SEED ?? Math.floor(Math.random() * 2 ** 32));
const SAMPLES = 60;

type Dir = 'request' | 'response';

function encode(schema: MessageSchema, version: number, dir: Dir, body: unknown): Buffer {
  const w = new Writer(64);
  if (dir === 'request') encodeRequestBody(schema, version, body, w);
  else encodeResponseBody(schema, version, body, w);
  return w.finish();
}

function decode(schema: MessageSchema, version: number, dir: Dir, reader: Reader): unknown {
  return dir === 'request'
    ? decodeRequestBody(schema, version, reader)
    : decodeResponseBody(schema, version, reader);
}

describe(`round trip of every registered schema (seed ${SEED})`, () => {
  it('registers at least the five core APIs, one schema per key', () => {
    const keys = MESSAGE_SCHEMAS.map((s) => s.apiKey);
    for (const k of [0, 1, 2, 3, 18]) assert.ok(keys.includes(k), `api key ${k} is registered`);
    assert.equal(new Set(keys).size, keys.length);
  });

  for (const schema of MESSAGE_SCHEMAS) {
    for (const version of listVersions(schema.validVersions)) {
      const flexible = inRange(schema.flexibleVersions, version) ? 'flexible' : 'classic';
      for (const dir of ['request', 'response'] as const) {
        it(`${schema.name} v${version} ${dir} (${flexible})`, () => {
          // One generator per case so a failure replays from the seed alone, whatever ran before.
          const rand = seededRandom(
            SEED ^ (schema.apiKey * 1000 + version * 2 + (dir === 'request' ? 0 : 1)),
          );
          for (let i = 0; i < SAMPLES; i++) {
            const body = randomBody(schema, version, dir, rand);
            const bytes = encode(schema, version, dir, body);
            const reader = new Reader(bytes);
            const back = decode(schema, version, dir, reader);
            const where = `seed ${SEED}, sample ${i}`;
            assert.deepStrictEqual(back, body, where);
            assert.equal(reader.remaining, 0, `${where}: decoder left bytes unread`);
            assert.ok(
              encode(schema, version, dir, back).equals(bytes),
              `${where}: re-encoding changed the bytes`,
            );
          }
        });
      }
    }
  }
});
