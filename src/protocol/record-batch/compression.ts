import zlib from 'node:zlib';
import { StreamError } from '../../common/errors.ts';
import { corruptBatch } from './corrupt.ts';
import { lz4Api } from './native-codecs.ts';
import { snappyCompressRaw, snappyCompressXerial, snappyDecompress } from './snappy.ts';

/**
 * Kafka's four codecs behind one pair of functions. gzip and zstd come from node:zlib; snappy and LZ4
 * (frame format, KIP-57) from napi packages. A whole batch's records are compressed as one unit.
 */

/** Codec ids as stored in attribute bits 0–2. */
export const CompressionCodec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
/** A codec id eddy can read and write. */
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** LZ4 frame magic 0x184D2204, as it appears on the wire (little-endian). */
export const LZ4_FRAME_MAGIC = Uint8Array.of(0x04, 0x22, 0x4d, 0x18);

/**
 * Default cap on one batch's decompressed size, so a small hostile batch cannot make the broker
 * allocate gigabytes. Far above Kafka's defaults (1 MiB message.max.bytes, 50 MiB fetch.max.bytes).
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Knobs for compress(). */
export interface CompressOptions {
  /** 'raw' (default; readable by every client) or 'xerial' (what the Java producer writes). */
  snappyFormat?: 'raw' | 'xerial';
}

/** Name of a codec id ('none', 'gzip', 'snappy', 'lz4', 'zstd'), or `codec-N` for an unknown one. */
export function codecName(codec: number): string {
  return NAMES[codec] ?? `codec-${codec}`;
}

function unsupported(codec: number): StreamError {
  return new StreamError(
    'BRK_UNSUPPORTED_COMPRESSION',
    `compression codec ${codec} is not one of 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd`,
    { details: { codec } },
  );
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Compresses `data` with a Kafka codec. Codec 0 returns the input unchanged.
 *
 * @example const body = compress(CompressionCodec.ZSTD, records);
 */
export function compress(codec: number, data: Uint8Array, options: CompressOptions = {}): Buffer {
  const input = asBuffer(data);
  switch (codec) {
    case 0:
      return input;
    case 1:
      return zlib.gzipSync(input);
    case 2:
      return options.snappyFormat === 'xerial' ? snappyCompressXerial(input) : snappyCompressRaw(input);
    case 3:
      return lz4Api().compressFrameSync(input);
    case 4:
      return zlib.zstdCompressSync(input);
    default:
      throw unsupported(codec);
  }
}

/**
 * Decompresses a batch's records. Corrupt input, or output past `maxBytes`, throws StreamError
 * BRK_CORRUPT_BATCH; an unknown codec throws BRK_UNSUPPORTED_COMPRESSION. Snappy accepts raw and
 * xerial-framed data.
 *
 * @example const records = decompress(compressionOf(attributes), batch.subarray(RECORDS_OFFSET));
 */
export function decompress(
  codec: number,
  data: Uint8Array,
  maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Buffer {
  const input = asBuffer(data);
  switch (codec) {
    case 0:
      return input;
    case 1:
      return viaZlib('gzip', () => zlib.gunzipSync(input, { maxOutputLength: maxBytes }), maxBytes);
    case 2:
      return snappyDecompress(input, maxBytes);
    case 3:
      return lz4Decompress(input, maxBytes);
    case 4:
      return viaZlib('zstd', () => zlib.zstdDecompressSync(input, { maxOutputLength: maxBytes }), maxBytes);
    default:
      throw unsupported(codec);
  }
}

function viaZlib(name: string, run: () => Buffer, maxBytes: number): Buffer {
  try {
    return run();
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw corruptBatch(`${name} data decompresses past the ${maxBytes}-byte limit`, undefined, cause);
    }
    throw corruptBatch(`${name} data does not decompress`, undefined, cause);
  }
}

function lz4Decompress(input: Buffer, maxBytes: number): Buffer {
  for (let i = 0; i < 4; i++) {
    if (input[i] !== LZ4_FRAME_MAGIC[i]) {
      throw corruptBatch(
        'lz4 data is not an LZ4 frame (magic 0x184D2204); Kafka never uses raw LZ4 blocks',
        0,
      );
    }
  }
  let out: Buffer;
  try {
    out = lz4Api().decompressFrameSync(input);
  } catch (cause) {
    throw corruptBatch('lz4 frame does not decompress', undefined, cause);
  }
  if (out.length > maxBytes) throw corruptBatch(`lz4 data decompresses past the ${maxBytes}-byte limit`);
  return out;
}
