import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { CompressionCodec, codecName, compress, decompress, LZ4_FRAME_MAGIC } from './compression.ts';
import { isXerialFramed, XERIAL_MAGIC } from './snappy.ts';

const CODECS = [CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD];

/** 1 MiB that compresses somewhat: random blocks between repeated text. */
function megabyte(): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  while (size < 1024 * 1024) {
    const part = size % 3 === 0 ? randomBytes(4096) : Buffer.from('{"user":42,"page":"/home"} '.repeat(150));
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat(parts).subarray(0, 1024 * 1024);
}

test('every codec round-trips empty, small and 1 MiB payloads', () => {
  const big = megabyte();
  for (const codec of CODECS) {
    for (const data of [Buffer.alloc(0), Buffer.from('hello, kafka'), big]) {
      const packed = compress(codec, data);
      assert.deepEqual(decompress(codec, packed), data, `${codecName(codec)} ${data.length} bytes`);
    }
    assert.ok(compress(codec, big).length < big.length, `${codecName(codec)} shrinks repetitive data`);
  }
});

test('codec 0 passes bytes through and names are as Kafka spells them', () => {
  const data = Buffer.from('plain');
  assert.deepEqual(compress(0, data), data);
  assert.deepEqual(decompress(0, data), data);
  assert.deepEqual(CODECS.map(codecName), ['gzip', 'snappy', 'lz4', 'zstd']);
});

test('unknown codecs 5-7 throw BRK_UNSUPPORTED_COMPRESSION', () => {
  for (const codec of [5, 6, 7]) {
    assert.throws(
      () => compress(codec, Buffer.from('x')),
      (e) => isStreamError(e, 'BRK_UNSUPPORTED_COMPRESSION'),
    );
    assert.throws(
      () => decompress(codec, Buffer.from('x')),
      (e) => isStreamError(e, 'BRK_UNSUPPORTED_COMPRESSION'),
    );
  }
});

test('lz4 writes the frame format (magic 0x184D2204, independent 64 KiB blocks)', () => {
  const packed = compress(CompressionCodec.LZ4, Buffer.from('frame me'));
  assert.deepEqual(packed.subarray(0, 4), Buffer.from(LZ4_FRAME_MAGIC));
  assert.equal(packed.readUInt32LE(0), 0x184d2204);
  // FLG: version 01, block independence set (Kafka's Java reader decodes blocks independently).
  assert.equal(packed[4] & 0xc0, 0x40);
  assert.equal(packed[4] & 0x20, 0x20);
  // BD: 64 KiB maximum block size.
  assert.equal(packed[5], 0x40);
});

test('lz4 reads a frame written by the reference lz4 command-line tool', () => {
  // `printf 'hello lz4 frame from the reference CLI, hello hello hello\n' | lz4 -c` (lz4 1.9.4).
  const frame = Buffer.from(
    '04224d186440a735000000f21968656c6c6f206c7a34206672616d652066726f6d20746865207265666572656e636520434c492c20280003060050656c6c6f0a00000000b4aad2bf',
    'hex',
  );
  assert.equal(
    decompress(CompressionCodec.LZ4, frame).toString(),
    'hello lz4 frame from the reference CLI, hello hello hello\n',
  );
});

test('lz4 refuses raw LZ4 blocks with a clear error', () => {
  const block = Buffer.from('10616263', 'hex');
  assert.throws(
    () => decompress(CompressionCodec.LZ4, block),
    (e) => isStreamError(e, 'BRK_CORRUPT_BATCH') && /LZ4 frame/.test((e as Error).message),
  );
});

test('snappy reads xerial framing as snappy-java writes it', () => {
  // snappy-java SnappyOutputStream output for "foobar\n": magic, version 1, compatible 1, one chunk.
  const xerial = Buffer.from('82534e41505059000000000100000001000000090718666f6f6261720a', 'hex');
  assert.ok(isXerialFramed(xerial));
  assert.equal(decompress(CompressionCodec.SNAPPY, xerial).toString(), 'foobar\n');
  // The chunk alone is raw snappy and reads too.
  assert.equal(decompress(CompressionCodec.SNAPPY, xerial.subarray(20)).toString(), 'foobar\n');
});

test('snappy writes raw by default and xerial on request; both read back, many chunks too', () => {
  const data = megabyte();
  const raw = compress(CompressionCodec.SNAPPY, data);
  const framed = compress(CompressionCodec.SNAPPY, data, { snappyFormat: 'xerial' });
  assert.ok(!isXerialFramed(raw));
  assert.deepEqual(framed.subarray(0, 8), Buffer.from(XERIAL_MAGIC));
  assert.equal(framed.readInt32BE(8), 1);
  assert.equal(framed.readInt32BE(12), 1);
  assert.deepEqual(decompress(CompressionCodec.SNAPPY, raw), data);
  assert.deepEqual(decompress(CompressionCodec.SNAPPY, framed), data);
  assert.deepEqual(
    decompress(CompressionCodec.SNAPPY, compress(2, Buffer.alloc(0), { snappyFormat: 'xerial' })),
    Buffer.alloc(0),
  );
});

test('garbage and truncated input throw BRK_CORRUPT_BATCH for every codec', () => {
  const data = Buffer.from('some records that will be compressed '.repeat(50));
  for (const codec of CODECS) {
    const packed = compress(codec, data);
    const garbage = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff));
    for (const bad of [garbage, packed.subarray(0, packed.length >> 1), Buffer.alloc(0)]) {
      assert.throws(
        () => decompress(codec, bad),
        (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'),
        codecName(codec),
      );
    }
  }
  const torn = compress(CompressionCodec.SNAPPY, data, { snappyFormat: 'xerial' });
  assert.throws(
    () => decompress(2, torn.subarray(0, torn.length - 3)),
    (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'),
  );
});

test('decompression stops at the size limit', () => {
  const zeros = Buffer.alloc(2 * 1024 * 1024);
  for (const codec of CODECS) {
    for (const packed of [compress(codec, zeros), compress(codec, zeros, { snappyFormat: 'xerial' })]) {
      assert.throws(
        () => decompress(codec, packed, 1024 * 1024),
        (e) => isStreamError(e, 'BRK_CORRUPT_BATCH') && /limit/.test((e as Error).message),
        codecName(codec),
      );
    }
  }
});
