import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  peekRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from './headers.ts';
import { API_VERSIONS_SCHEMA, FETCH_SCHEMA, METADATA_SCHEMA, PRODUCE_SCHEMA } from './messages/index.ts';
import { Reader } from './primitives/reader.ts';
import { Writer } from './primitives/writer.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('header version selection', () => {
  it('follows the flexible threshold of each API', () => {
    assert.equal(requestHeaderVersion(METADATA_SCHEMA, 8), 1);
    assert.equal(requestHeaderVersion(METADATA_SCHEMA, 9), 2);
    assert.equal(responseHeaderVersion(METADATA_SCHEMA, 8), 0);
    assert.equal(responseHeaderVersion(METADATA_SCHEMA, 9), 1);
    assert.equal(requestHeaderVersion(FETCH_SCHEMA, 11), 1);
    assert.equal(responseHeaderVersion(FETCH_SCHEMA, 12), 1);
    assert.equal(requestHeaderVersion(PRODUCE_SCHEMA, 7), 1);
    assert.equal(responseHeaderVersion(PRODUCE_SCHEMA, 7), 0);
  });

  it('always answers ApiVersions with response header v0 (KIP-511), even when flexible', () => {
    assert.equal(requestHeaderVersion(API_VERSIONS_SCHEMA, 3), 2);
    for (const v of [0, 1, 2, 3, 4]) assert.equal(responseHeaderVersion(API_VERSIONS_SCHEMA, v), 0);
  });
});

describe('request header', () => {
  it('keeps client_id a classic int16-length string in v2', () => {
    const w = new Writer();
    encodeRequestHeader(w, 2, { apiKey: 3, apiVersion: 12, correlationId: 5, clientId: 'ab' });
    assert.equal(w.finish().toString('hex'), '0003' + '000c' + '00000005' + '0002' + '6162' + '00');
  });

  it('writes a null client id as length -1, and nothing of it in v0', () => {
    const w = new Writer();
    encodeRequestHeader(w, 1, { apiKey: 0, apiVersion: 7, correlationId: 1, clientId: null });
    encodeRequestHeader(w, 0, { apiKey: 7, apiVersion: 0, correlationId: 2, clientId: 'dropped' });
    assert.equal(w.finish().toString('hex'), '0000000700000001ffff' + '0007000000000002');
  });

  it('decodes v1 and v2 headers, skipping v2 tagged fields', () => {
    const v1 = decodeRequestHeader(new Reader(hex('0012 0000 0000002a ffff')), 1);
    assert.deepEqual(v1, { apiKey: 18, apiVersion: 0, correlationId: 42, clientId: null });
    const r = new Reader(hex('0003 0009 00000001 0001 78  01 05 02 abcd  7f'));
    assert.deepEqual(decodeRequestHeader(r, 2), {
      apiKey: 3,
      apiVersion: 9,
      correlationId: 1,
      clientId: 'x',
    });
    assert.equal(r.readInt8(), 0x7f, 'the body starts right after the tagged fields');
  });

  it('peeks key, version and correlation id without reading further', () => {
    // An ApiVersions v99 request whose body no decoder understands.
    const payload = hex('0012 0063 00000007 ffff deadbeef');
    assert.deepEqual(peekRequestHeader(payload), { apiKey: 18, apiVersion: 99, correlationId: 7 });
  });

  it('refuses to peek into fewer than 8 bytes', () => {
    assert.throws(
      () => peekRequestHeader(hex('0012 0003 0000')),
      (e: unknown) => isStreamError(e, 'BRK_PROTOCOL_MALFORMED') && /got 6/.test(e.message),
    );
  });
});

describe('response header', () => {
  it('writes and reads v0 and v1', () => {
    const w = new Writer();
    encodeResponseHeader(w, 0, { correlationId: 9 });
    encodeResponseHeader(w, 1, { correlationId: -1 });
    const bytes = w.finish();
    assert.equal(bytes.toString('hex'), '00000009' + 'ffffffff00');
    const r = new Reader(bytes);
    assert.deepEqual(decodeResponseHeader(r, 0), { correlationId: 9 });
    assert.deepEqual(decodeResponseHeader(r, 1), { correlationId: -1 });
    assert.equal(r.remaining, 0);
  });
});
