import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { decodeValue, encodeKey, encodeValue } from './kafka-formats.ts';

const bytes = (text: string) => Buffer.from(text);

test('built-in source formats; a tombstone is null; bad JSON throws for the source to catch', () => {
  assert.deepEqual(decodeValue('json', bytes('{"a":[1]}'), null, []), { a: [1] });
  assert.equal(decodeValue('string', bytes('héllo'), null, []), 'héllo');
  assert.deepEqual(decodeValue('bytes', bytes('ab'), null, []), bytes('ab'));
  for (const format of ['json', 'string', 'bytes'] as const)
    assert.equal(decodeValue(format, null, null, []), null);
  assert.throws(() => decodeValue('json', bytes('{'), null, []), SyntaxError);
});

test('a custom deserializer sees key and headers as text', () => {
  const format = {
    deserialize: (v: Uint8Array | null, k: Uint8Array | null, h: Record<string, string>) => [v, k, h],
  };
  const headers: [Buffer | null, Buffer | null][] = [
    [bytes('trace'), bytes('t-1')],
    [bytes('empty'), null],
    [null, bytes('ignored')],
  ];
  assert.deepEqual(decodeValue(format, bytes('v'), bytes('k'), headers), [
    bytes('v'),
    bytes('k'),
    { trace: 't-1', empty: '' },
  ]);
});

test('sink formats and keys', () => {
  assert.equal(encodeValue('json', { a: 1 }).toString(), '{"a":1}');
  assert.equal(encodeValue('string', 'x').toString(), 'x');
  assert.equal(encodeValue('string', 12).toString(), '12');
  assert.equal(encodeValue({ serialize: (v) => `<${v}>` }, 'x').toString(), '<x>');
  assert.equal(encodeValue({ serialize: () => new Uint8Array([104, 105]) }, 'x').toString(), 'hi');
  assert.equal(encodeKey(null, 'v'), undefined);
  assert.equal(encodeKey('k', 'v')?.toString(), 'k');
  assert.throws(
    () => encodeKey(5, 'v'),
    (e) => isStreamError(e, 'CON_RECORD_UNWRITABLE') && /key\(\) returned number/.test(e.message),
  );
  assert.throws(
    () => encodeValue('json', undefined),
    (e) => isStreamError(e, 'CON_RECORD_UNWRITABLE'),
  );
});
