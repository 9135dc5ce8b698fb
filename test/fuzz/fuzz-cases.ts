// Request frames for fuzzing the broker: valid frames for every served API and version (random bodies,
// nudged towards values the broker acts on), their truncations and mutations, random bytes, unknown API
// keys, unsupported versions and absurd lengths. Frames are payloads: the bytes after the size prefix.

import { type Random, randomBody } from '../../src/protocol/codec/random-value.ts';
import { encodeRequestFrame, MESSAGE_SCHEMAS, type MessageSchema } from '../../src/protocol/index.ts';
import {
  ATTRIBUTES_OFFSET,
  encodeRecordBatch,
  RECORDS_OFFSET,
  rewriteBatchCrc,
} from '../../src/protocol/record-batch/index.ts';

/** One fuzz input: how it was made and the frame payload. */
export interface FuzzCase {
  kind: string;
  frame: Buffer;
}

/** An API as the broker serves it (the ApiVersions answer). */
export interface ServedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** What the generator learns from answers (member ids) so later requests reach deeper states. */
export interface FuzzMemory {
  members: string[];
}

/**
 * Fuzz topics the test creates first, with configs that make the broker decode, recompress or restamp
 * batches: the paths where garbage records would do harm.
 */
export const CONFIGURED_TOPICS: readonly { name: string; configs: Record<string, string> }[] = [
  { name: 'fuzz-compact', configs: { 'cleanup.policy': 'compact', 'compression.type': 'gzip' } },
  { name: 'fuzz-zstd', configs: { 'compression.type': 'zstd', 'message.timestamp.type': 'LogAppendTime' } },
  { name: 'fuzz-small', configs: { 'segment.bytes': '16384', 'message.timestamp.before.max.ms': '3600000' } },
];
// Fuzz-only names: no mutation of a few bytes of these spells the canary topic (see broker-fuzz.test.ts).
const TOPICS = [
  'fuzz-a',
  'fuzz-b',
  'fuzz.c',
  'fuzz_c',
  ...CONFIGURED_TOPICS.map((t) => t.name),
  '',
  '.',
  'bad name',
  'y'.repeat(249), // the longest valid name
  'x'.repeat(250),
];
const GROUPS = ['fuzz-g1', 'fuzz-g2', 'fuzz-g3', ''];
/** Topic configs for CreateTopics, valid and not. */
const CONFIG_ENTRIES: readonly [string, string | null][] = [
  ['cleanup.policy', 'compact'],
  ['compression.type', 'lz4'],
  ['compression.type', 'snappy'],
  ['compression.type', 'producer'],
  ['message.timestamp.type', 'LogAppendTime'],
  ['max.message.bytes', '100'],
  ['retention.ms', '-1'],
  ['retention.ms', 'abc'],
  ['segment.bytes', null],
  ['segment.bytes', '99999999999999999999'],
  ['no.such.config', 'x'],
];
const DELETE_TOPICS_KEY = 20;
/** Encodings of absurd lengths and counts: int16, int32 and unsigned varints, positive and negative. */
const ABSURD = [
  [0x7f, 0xff],
  [0xff, 0xfe],
  [0x7f, 0xff, 0xff, 0xff],
  [0x80, 0x00, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xfe],
  [0x00, 0x10, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
];

const int = (rand: Random, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const bytes = (rand: Random, n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, () => int(rand, 0, 255)));

function recordBatch(rand: Random): Buffer {
  const records = Array.from({ length: int(rand, 1, 4) }, (_, i) => ({
    key: rand() < 0.5 ? null : bytes(rand, int(rand, 0, 8)),
    value: rand() < 0.1 ? null : Buffer.from(`fuzz-${i}-${int(rand, 0, 1e6)}`),
    headers: rand() < 0.3 ? [{ key: 'h', value: bytes(rand, 3) }] : [],
    timestamp: rand() < 0.9 ? Date.now() : int(rand, -5, 2 ** 40),
  }));
  const batch = encodeRecordBatch(records, { compression: rand() < 0.6 ? 0 : int(rand, 1, 4) });
  if (rand() < 0.25) {
    // Damage past the CRC field, then fix the CRC: the batch passes the CRC check and must be caught
    // (or stored as sent) by the checks behind it, including decompression of garbage.
    for (let i = int(rand, 1, 3); i > 0; i--) {
      const at =
        rand() < 0.5
          ? int(rand, ATTRIBUTES_OFFSET, RECORDS_OFFSET - 1)
          : int(rand, RECORDS_OFFSET, batch.length - 1);
      batch[at] = rand() < 0.5 ? batch[at] ^ (1 << int(rand, 0, 7)) : int(rand, 0, 255);
    }
    rewriteBatchCrc(batch, 0);
  }
  return rand() < 0.15 ? Buffer.concat([batch, recordBatch(rand)]) : batch;
}

/**
 * Rewrites a random body so the broker acts on it rather than refusing everything at the first check:
 * names from small fuzz-only pools, small partition indexes and timeouts, real record batches. Timeouts
 * stay tiny so long polls and rebalances answer quickly; creating topics stays rare (validateOnly).
 */
function nudge(value: unknown, key: string, rand: Random, memory: FuzzMemory): unknown {
  if (key === 'configs' && Array.isArray(value)) {
    return value.map(() => {
      const [name, config] = pick(rand, CONFIG_ENTRIES);
      return { name, value: config };
    });
  }
  if (Array.isArray(value)) return value.map((v) => nudge(v, key, rand, memory));
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = nudge(v, k, rand, memory);
    return out;
  }
  if (rand() < 0.05) return value; // now and then the raw random value
  switch (key) {
    case 'name':
    case 'topic':
    case 'topicNames':
    case 'resourceName':
      return typeof value === 'string' ? pick(rand, TOPICS) : value;
    case 'groupId':
    case 'groups':
    case 'key':
    case 'coordinatorKeys':
      return typeof value === 'string' ? pick(rand, GROUPS) : value;
    case 'memberId':
      return rand() < 0.4 || memory.members.length === 0 ? '' : pick(rand, memory.members);
    case 'groupInstanceId':
      return rand() < 0.7 ? null : pick(rand, ['fuzz-i1', 'fuzz-i2']);
    case 'protocolType':
      return pick(rand, ['consumer', 'connect', '']);
    case 'partition':
    case 'partitionIndex':
    case 'partitionIndexes':
    case 'index':
      return int(rand, -1, 3);
    case 'records':
      return rand() < 0.7 ? recordBatch(rand) : value;
    case 'acks':
      return pick(rand, [-1, 0, 1, 1, 2]);
    case 'maxWaitMs':
      return int(rand, 0, 3);
    case 'timeoutMs':
      return int(rand, 0, 20);
    case 'sessionTimeoutMs':
      return int(rand, 5, 200);
    case 'rebalanceTimeoutMs':
      return int(rand, 0, 100);
    case 'numPartitions':
      return pick(rand, [-1, 1, 2, 0, -7]);
    case 'replicationFactor':
      return pick(rand, [-1, 1, 1, 3, 0]);
    case 'validateOnly':
      return rand() < 0.8;
    case 'sessionId':
      return rand() < 0.8 ? 0 : value;
    case 'fetchOffset':
    case 'committedOffset':
    case 'timestamp':
      return rand() < 0.8 ? int(rand, -2, 30) : value;
    case 'generationId':
    case 'generationIdOrMemberEpoch':
      return int(rand, -1, 3);
    default:
      return value;
  }
}

/** A valid frame of `schema` at `version` with a random (nudged) body. */
export function validFrame(schema: MessageSchema, version: number, rand: Random, memory: FuzzMemory): Buffer {
  const body = nudge(randomBody(schema, version, 'request', rand), '', rand, memory);
  const header = {
    apiVersion: version,
    correlationId: int(rand, -(2 ** 31), 2 ** 31 - 1),
    clientId: rand() < 0.1 ? null : pick(rand, ['fuzz', '', 'rdkafka', 'é😀']),
  };
  return encodeRequestFrame(schema, header, body).subarray(4);
}

function mutate(frame: Buffer, rand: Random, kind: string): Buffer {
  const out = Buffer.from(frame);
  if (out.length === 0) return out;
  // Header bytes (the first 8) are hit now and then; the body most of the time.
  const at = (): number =>
    out.length > 8 && rand() < 0.9 ? int(rand, 8, out.length - 1) : int(rand, 0, out.length - 1);
  const n = int(rand, 1, 4);
  for (let i = 0; i < n; i++) {
    if (kind === 'bit-flip') out[at()] ^= 1 << int(rand, 0, 7);
    else out[at()] = rand() < 0.5 ? pick(rand, [0x00, 0xff, 0x7f, 0x80, 0x01]) : int(rand, 0, 255);
  }
  return out;
}

/** Overwrites bytes at a random body offset with an absurd length or count, or inserts it there. */
function absurdLength(frame: Buffer, rand: Random): Buffer {
  const at = frame.length > 8 ? int(rand, 8, frame.length - 1) : frame.length;
  const value = Buffer.from(pick(rand, ABSURD));
  if (rand() < 0.5) return Buffer.concat([frame.subarray(0, at), value, frame.subarray(at)]);
  const out = Buffer.concat([frame, Buffer.alloc(Math.max(0, at + value.length - frame.length))]);
  value.copy(out, at);
  return out;
}

function header(apiKey: number, version: number, rand: Random): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt16BE(apiKey, 0);
  b.writeInt16BE(version, 2);
  b.writeInt32BE(int(rand, -(2 ** 31), 2 ** 31 - 1), 4);
  return b;
}

/**
 * A generator of fuzz cases over the APIs the broker serves. Every served (API, version) pair is
 * equally likely as the base of a valid or mutated frame, except DeleteTopics, four times rarer.
 *
 * @example const next = caseGenerator(broker.state.supportedApis, seededRandom(1), { members: [] });
 */
export function caseGenerator(
  served: readonly ServedApi[],
  rand: Random,
  memory: FuzzMemory,
): () => FuzzCase {
  const pairs = served.flatMap((api) => {
    const schema = MESSAGE_SCHEMAS.find((s) => s.apiKey === api.apiKey);
    if (schema === undefined) throw new Error(`no schema for served api key ${api.apiKey}`);
    return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({
      schema,
      version: api.minVersion + i,
    }));
  });
  const servedKeys = new Set(served.map((s) => s.apiKey));
  const unserved = MESSAGE_SCHEMAS.filter((s) => !servedKeys.has(s.apiKey));
  const valid = (): Buffer => {
    let { schema, version } = pick(rand, pairs);
    // DeleteTopics sparingly: every deletion of a pool topic means a slow re-creation later.
    if (schema.apiKey === DELETE_TOPICS_KEY && rand() < 0.75) ({ schema, version } = pick(rand, pairs));
    return validFrame(schema, version, rand, memory);
  };
  return () => {
    const roll = rand();
    if (roll < 0.08) return { kind: 'valid', frame: valid() };
    if (roll < 0.2) {
      const frame = valid();
      return { kind: 'truncated', frame: frame.subarray(0, int(rand, 0, frame.length - 1)) };
    }
    if (roll < 0.38) return { kind: 'bit-flip', frame: mutate(valid(), rand, 'bit-flip') };
    if (roll < 0.53) return { kind: 'byte-sub', frame: mutate(valid(), rand, 'byte-sub') };
    if (roll < 0.68) return { kind: 'absurd-length', frame: absurdLength(valid(), rand) };
    if (roll < 0.72)
      return { kind: 'trailing-bytes', frame: Buffer.concat([valid(), bytes(rand, int(rand, 1, 16))]) };
    if (roll < 0.8) return { kind: 'random-bytes', frame: bytes(rand, int(rand, 0, 64)) };
    if (roll < 0.88) {
      const { schema, version } = pick(rand, pairs);
      const body = bytes(rand, int(rand, 0, 48));
      return { kind: 'random-body', frame: Buffer.concat([header(schema.apiKey, version, rand), body]) };
    }
    if (roll < 0.94) {
      if (unserved.length > 0 && rand() < 0.5) {
        const schema = pick(rand, unserved);
        const version = int(rand, 0, 3);
        try {
          return { kind: 'unknown-api', frame: validFrame(schema, version, rand, memory) };
        } catch {
          // a version the declaration lacks: fall through to a bare header
        }
      }
      let apiKey = int(rand, -32768, 32767);
      while (servedKeys.has(apiKey)) apiKey = int(rand, 100, 32767);
      return {
        kind: 'unknown-api',
        frame: Buffer.concat([header(apiKey, int(rand, 0, 20), rand), bytes(rand, 8)]),
      };
    }
    const api = pick(rand, served);
    const version = pick(rand, [
      api.maxVersion + 1,
      api.maxVersion + int(rand, 2, 50),
      api.minVersion - 1,
      -1,
      32767,
      -32768,
    ]);
    const frame = Buffer.from(valid());
    frame.writeInt16BE(api.apiKey, 0);
    frame.writeInt16BE(version, 2);
    return { kind: 'bad-version', frame };
  };
}
