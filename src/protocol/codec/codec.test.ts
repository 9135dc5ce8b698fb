import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError, type StreamError } from '../../common/errors.ts';
import { Reader } from '../primitives/reader.ts';
import { Writer } from '../primitives/writer.ts';
import type { MessageSchema } from '../schema/types.ts';
import {
  bodyCodec,
  decodeRequestBody,
  decodeResponseBody,
  encodeRequestBody,
  encodeResponseBody,
} from './index.ts';

/** A made-up API using every feature of the schema format; v2+ is flexible. */
const TEST: MessageSchema = {
  apiKey: 9999,
  name: 'Test',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    { name: 'id', type: 'int32', versions: '0+' },
    { name: 'label', type: 'string', versions: '1+', nullableVersions: '1+' },
    { name: 'epoch', type: 'int64', versions: '3+', default: '-1' },
    { name: 'enabled', type: 'bool', versions: '3+', default: 'true' },
    { name: 'parts', type: '[]int32', versions: '0+' },
    {
      name: 'owner',
      type: 'Owner',
      versions: '1+',
      nullableVersions: '1+',
      fields: [
        { name: 'host', type: 'string', versions: '1+' },
        { name: 'port', type: 'int32', versions: '1+', default: 9092 },
      ],
    },
    { name: 'note', type: 'string', versions: '2+', taggedVersions: '2+', tag: 5, default: '' },
    { name: 'limit', type: 'int32', versions: '2+', taggedVersions: '2+', tag: 1, default: 0x7fffffff },
    { name: 'blob', type: 'bytes', versions: '2+', nullableVersions: '2+', taggedVersions: '2+', tag: 0 },
    {
      name: 'zone',
      type: 'string',
      versions: '2+',
      nullableVersions: '2+',
      taggedVersions: '2+',
      tag: 7,
      default: 'z',
    },
    {
      name: 'leader',
      type: 'Leader',
      versions: '2+',
      nullableVersions: '2+',
      taggedVersions: '2+',
      tag: 9,
      fields: [{ name: 'id', type: 'int32', versions: '2+', default: -1 }],
    },
  ],
  response: [{ name: 'errorCode', type: 'int16', versions: '0+' }],
};

function encode(version: number, value: unknown): Buffer {
  const w = new Writer();
  encodeRequestBody(TEST, version, value, w);
  return w.finish();
}

const decode = (version: number, bytes: Buffer) => decodeRequestBody(TEST, version, new Reader(bytes));

function assertCode(
  fn: () => unknown,
  code: 'BRK_PROTOCOL_MALFORMED' | 'BRK_PROTOCOL_INVALID_VALUE',
  re: RegExp,
) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isStreamError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match((e as StreamError).message, re);
    return true;
  });
}

describe('codec: versions and defaults', () => {
  it('encodes only the fields of the version, in declaration order (v0, classic)', () => {
    const bytes = encode(0, { id: 7, label: 'ignored', parts: [1, 2] });
    assert.equal(bytes.toString('hex'), '00000007' + '00000002' + '00000001' + '00000002');
  });

  it('decodes fields absent in the version to their default or zero', () => {
    const body = decode(0, Buffer.from('00000007' + '00000000', 'hex'));
    assert.deepEqual(body, {
      id: 7,
      label: null,
      epoch: -1,
      enabled: true,
      parts: [],
      owner: null,
      note: '',
      limit: 0x7fffffff,
      blob: null,
      zone: 'z',
      leader: null,
    });
  });

  it('refuses a null array where the version does not allow it', () => {
    assertCode(
      () => decode(0, Buffer.from('00000007ffffffff', 'hex')),
      'BRK_PROTOCOL_MALFORMED',
      /field \/parts/,
    );
  });

  it('writes a missing value as its default, or the zero of its type', () => {
    const body = decode(3, encode(3, { id: 1 }));
    assert.equal(body.label, null, 'nullable string: null');
    assert.equal(body.epoch, -1, 'declared default (given as a Kafka string)');
    assert.equal(body.enabled, true);
    assert.deepEqual(body.parts, []);
    assert.equal(body.owner, null);
  });

  it('compiles each version once and caches it', () => {
    assert.equal(bodyCodec(TEST, 2, 'request'), bodyCodec(TEST, 2, 'request'));
    assert.notEqual(bodyCodec(TEST, 2, 'request'), bodyCodec(TEST, 3, 'request'));
    assert.notEqual(bodyCodec(TEST, 2, 'request'), bodyCodec(TEST, 2, 'response'));
  });

  it('refuses versions outside validVersions', () => {
    for (const v of [-1, 4, 1.5]) {
      assert.throws(
        () => encode(v, {}),
        (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_UNSUPPORTED_VERSION'),
      );
    }
  });
});

describe('codec: flexible versions', () => {
  it('uses compact encodings and a trailing tag section', () => {
    const bytes = encode(2, { id: 1, label: 'ab', parts: [5], owner: null });
    assert.equal(bytes.toString('hex'), '00000001' + '03' + '6162' + '02' + '00000005' + 'ff' + '00');
  });

  it('writes nested structs with their own tag section and an int8 presence marker', () => {
    const bytes = encode(2, { id: 1, label: null, parts: [], owner: { host: 'h', port: 1 } });
    assert.equal(bytes.toString('hex'), '00000001' + '00' + '01' + '01' + '0268' + '00000001' + '00' + '00');
  });

  it('writes tagged fields in increasing tag order and skips those at their default', () => {
    const base = { id: 1, label: null, parts: [], owner: null };
    assert.equal(
      encode(2, { ...base, note: '', limit: 0x7fffffff, blob: null })
        .toString('hex')
        .slice(-2),
      '00',
    );
    const bytes = encode(2, { ...base, note: 'x', limit: 3, blob: Buffer.from([9]) });
    const tags = bytes.subarray(bytes.length - 15).toString('hex');
    // 3 fields: tag 0 (blob: compact bytes 02 09), tag 1 (limit: int32), tag 5 (note: compact string)
    assert.equal(tags, '03' + '00' + '02' + '0209' + '01' + '04' + '00000003' + '05' + '02' + '0278');
    assert.deepEqual(decode(2, bytes), {
      ...base,
      epoch: -1,
      enabled: true,
      note: 'x',
      limit: 3,
      blob: Buffer.from([9]),
      zone: 'z',
      leader: null,
    });
  });

  it('writes a null tagged field whose default is not null as a one-byte null', () => {
    const bytes = encode(2, { id: 1, label: null, parts: [], owner: null, blob: null, zone: null });
    assert.equal(bytes.subarray(bytes.length - 4).toString('hex'), '01' + '07' + '01' + '00');
    assert.equal(decode(2, bytes).zone, null);
  });

  it('writes a tagged nullable struct with a varint presence marker', () => {
    const bytes = encode(2, { id: 1, label: null, parts: [], owner: null, leader: { id: 4 } });
    // tag 9, size 6: marker 01, id, the struct's own empty tag section
    assert.equal(
      bytes.subarray(bytes.length - 9).toString('hex'),
      '01' + '09' + '06' + '01' + '00000004' + '00',
    );
    assert.deepEqual(decode(2, bytes).leader, { id: 4 });
  });

  it('skips unknown tags and keeps reading', () => {
    const known = encode(2, { id: 1, label: null, parts: [], owner: null });
    const section = '03' + '02' + '00' + '01' + '04' + '00000003' + '63' + '02' + 'abcd';
    const bytes = Buffer.concat([known.subarray(0, known.length - 1), Buffer.from(`${section}ee`, 'hex')]);
    const r = new Reader(bytes);
    const body = decodeRequestBody(TEST, 2, r);
    assert.equal(body.limit, 3);
    assert.equal(body.blob, null);
    assert.equal(r.remaining, 1, 'the byte after the body is left unread');
  });

  it('rejects a tagged field whose declared size disagrees with its content', () => {
    const prefix = encode(2, { id: 1, label: null, parts: [], owner: null });
    const bad = Buffer.concat([
      prefix.subarray(0, prefix.length - 1),
      Buffer.from('01' + '01' + '05' + '0000000300', 'hex'),
    ]);
    assertCode(() => decode(2, bad), 'BRK_PROTOCOL_MALFORMED', /tagged field 1 .*declares 5 bytes but 4/);
  });
});

describe('codec: values that do not fit', () => {
  const cases: [string, number, unknown, RegExp][] = [
    [
      'int32 out of range',
      0,
      { id: 2 ** 31, parts: [] },
      /expected int32, got number 2147483648 \(field \/id\)/,
    ],
    ['string in an int field', 0, { id: '1', parts: [] }, /expected int32/],
    ['null in a non-nullable array', 0, { id: 1, parts: null }, /expected an array/],
    ['array element of the wrong type', 0, { id: 1, parts: [1, 1.5] }, /field \/parts\/1/],
    ['non-integer int64', 3, { id: 1, epoch: 0.5 }, /int64.*field \/epoch/],
    ['non-object struct', 1, { id: 1, owner: 'x' }, /expected an object.*field \/owner/],
    ['nested field', 1, { id: 1, owner: { host: 5 } }, /expected string.*field \/owner\/host/],
    ['tagged field', 2, { id: 1, owner: null, limit: 'many' }, /field \/limit/],
    ['body that is not an object', 0, [1], /expected an object/],
  ];
  for (const [label, version, value, re] of cases) {
    it(`rejects ${label} with its path`, () => {
      assertCode(() => encode(version, value), 'BRK_PROTOCOL_INVALID_VALUE', re);
    });
  }

  it('names message and version in decode errors', () => {
    assertCode(
      () => decodeResponseBody(TEST, 1, new Reader(Buffer.from('00', 'hex'))),
      'BRK_PROTOCOL_MALFORMED',
      /cannot decode TestResponse v1: int16 at byte 0.*field \/errorCode/,
    );
  });

  it('round-trips the response direction separately', () => {
    const w = new Writer();
    encodeResponseBody(TEST, 3, { errorCode: 35 }, w);
    assert.deepEqual(decodeResponseBody(TEST, 3, new Reader(w.finish())), { errorCode: 35 });
  });
});

describe('codec: schema errors surface at first use', () => {
  const broken = (request: MessageSchema['request']): MessageSchema => ({ ...TEST, request });
  const cases: [string, number, MessageSchema, RegExp][] = [
    ['unknown type', 2, broken([{ name: 'a', type: 'int33', versions: '0+' }]), /neither a primitive/],
    [
      'a tag in a version that is not flexible',
      1,
      broken([{ name: 'a', type: 'int8', versions: '0+', taggedVersions: '1+', tag: 0 }]),
      /tagged in version 1, which is not flexible/,
    ],
    [
      'tagged field without tag',
      2,
      broken([{ name: 'a', type: 'int8', versions: '2+', taggedVersions: '2+' }]),
      /no valid tag/,
    ],
    [
      'nullable int',
      2,
      broken([{ name: 'a', type: 'int8', versions: '0+', nullableVersions: '0+' }]),
      /cannot be nullable/,
    ],
    ['bad default', 2, broken([{ name: 'a', type: 'int8', versions: '0+', default: 'abc' }]), /not a number/],
    [
      'duplicate tag',
      2,
      broken([
        { name: 'a', type: 'int8', versions: '2+', taggedVersions: '2+', tag: 1 },
        { name: 'b', type: 'int8', versions: '2+', taggedVersions: '2+', tag: 1 },
      ]),
      /tag 1 is used twice/,
    ],
  ];
  for (const [label, version, schema, re] of cases) {
    it(`reports ${label}`, () => {
      assert.throws(
        () => bodyCodec(schema, version, 'request'),
        (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_SCHEMA_INVALID') && re.test(e.message),
      );
    });
  }
});
