/**
 * Golden bytes: frames assembled by hand from the protocol specification (field by field, in the
 * order the spec lists them), compared with what the codec produces and decoded back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from './frame.ts';
import { API_VERSIONS_SCHEMA, METADATA_SCHEMA } from './messages/index.ts';

/** Hex with spaces, `'text'` runs (ASCII spelled out) and `# comments` to the end of the line. */
function golden(spec: string): Buffer {
  const hex = spec
    .replace(/#[^\n]*/g, '')
    .replace(/'([^']*)'/g, (_m, text: string) => Buffer.from(text, 'latin1').toString('hex'));
  const digits = hex.replace(/\s+/g, '');
  assert.match(digits, /^([0-9a-f]{2})*$/i, 'golden spec is whole bytes of hex');
  return Buffer.from(digits, 'hex');
}

describe('golden frames', () => {
  it('ApiVersions v3 request (flexible body, header v2 with a classic client_id)', () => {
    const expected = golden(`
      00000024                  # size 36
      0012 0003 00000001        # api_key 18, api_version 3, correlation_id 1
      0007 'rdkafka'            # client_id: int16 length, NOT compact
      00                        # header tagged fields
      0b 'librdkafka'           # client_software_name: compact string (10 + 1)
      06 '2.0.2'                # client_software_version: compact string (5 + 1)
      00                        # body tagged fields
    `);
    const body = { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' };
    const header = { apiVersion: 3, correlationId: 1, clientId: 'rdkafka' };
    assert.equal(
      encodeRequestFrame(API_VERSIONS_SCHEMA, header, body).toString('hex'),
      expected.toString('hex'),
    );
    const decoded = decodeRequestFrame(API_VERSIONS_SCHEMA, expected.subarray(4));
    assert.deepEqual(decoded.header, { apiKey: 18, ...header });
    assert.deepEqual(decoded.body, body);
  });

  it('ApiVersions v0 response', () => {
    const expected = golden(`
      00000016                  # size 22
      00000001                  # correlation_id
      0000                      # error_code
      00000002                  # api_keys: int32 count
      0000 0003 0007            # Produce 3-7
      0012 0000 0004            # ApiVersions 0-4
    `);
    const body = {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 7 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ],
    };
    assert.equal(
      encodeResponseFrame(API_VERSIONS_SCHEMA, 0, 1, body).toString('hex'),
      expected.toString('hex'),
    );
    const decoded = decodeResponseFrame(API_VERSIONS_SCHEMA, 0, expected.subarray(4));
    assert.equal(decoded.correlationId, 1);
    assert.deepEqual(decoded.body, {
      ...body,
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });

  it('ApiVersions v3 response: header v0, compact array, one tagged field', () => {
    const expected = golden(`
      0000001d                  # size 29
      00000007                  # correlation_id (response header v0: no tagged fields)
      0000                      # error_code
      02 0012 0000 0004 00      # api_keys: compact count 1+1, one entry with its tag section
      00000000                  # throttle_time_ms
      01                        # one tagged field
      01 08 0000000000000005    # tag 1 finalized_features_epoch, 8 bytes
    `);
    const body = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5,
    };
    assert.equal(
      encodeResponseFrame(API_VERSIONS_SCHEMA, 3, 7, body).toString('hex'),
      expected.toString('hex'),
    );
  });

  it('Metadata v1 request', () => {
    const expected = golden(`
      00000019                  # size 25
      0003 0001 00000002        # api_key 3, api_version 1, correlation_id 2
      0004 'eddy'               # client_id
      00000002                  # topics: int32 count
      0001 'a'                  # name
      0002 'bc'                 # name
    `);
    const header = { apiVersion: 1, correlationId: 2, clientId: 'eddy' };
    const body = { topics: [{ name: 'a' }, { name: 'bc' }] };
    assert.equal(encodeRequestFrame(METADATA_SCHEMA, header, body).toString('hex'), expected.toString('hex'));
    const decoded = decodeRequestFrame(METADATA_SCHEMA, expected.subarray(4));
    assert.deepEqual(decoded.body.topics, [
      { topicId: Buffer.alloc(16), name: 'a' },
      { topicId: Buffer.alloc(16), name: 'bc' },
    ]);
  });

  it('Metadata v1 request for all topics: a null array', () => {
    const expected = golden(`00000012 0003 0001 00000003 0004 'eddy' ffffffff`);
    const header = { apiVersion: 1, correlationId: 3, clientId: 'eddy' };
    assert.equal(
      encodeRequestFrame(METADATA_SCHEMA, header, { topics: null }).toString('hex'),
      expected.toString('hex'),
    );
    assert.equal(decodeRequestFrame(METADATA_SCHEMA, expected.subarray(4)).body.topics, null);
  });

  it('refuses a payload of another API', () => {
    const frame = encodeRequestFrame(
      METADATA_SCHEMA,
      { apiVersion: 1, correlationId: 1, clientId: null },
      {},
    );
    assert.throws(
      () => decodeRequestFrame(API_VERSIONS_SCHEMA, frame.subarray(4)),
      (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_INVALID_VALUE'),
    );
  });

  it('throws BRK_PROTOCOL_MALFORMED for every truncation of a request payload', () => {
    const frame = encodeRequestFrame(
      API_VERSIONS_SCHEMA,
      { apiVersion: 3, correlationId: 1, clientId: 'x' },
      { clientSoftwareName: 'n', clientSoftwareVersion: 'v' },
    );
    const payload = frame.subarray(4);
    for (let cut = 0; cut < payload.length; cut++) {
      assert.throws(
        () => decodeRequestFrame(API_VERSIONS_SCHEMA, Buffer.from(payload.subarray(0, cut))),
        (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_MALFORMED'),
        `cut at ${cut}`,
      );
    }
  });
});
