import { readUnsignedVarint } from '../varint.ts';
import { readInt32, writeInt32 } from './bytes.ts';
import { corruptBatch } from './corrupt.ts';
import { snappyApi } from './native-codecs.ts';

/**
 * Snappy as Kafka clients use it. Two container forms exist in the wild:
 * - raw snappy (one block-format stream), written by librdkafka, kafkajs and @platformatic/kafka;
 * - xerial snappy-java framing, written by the Java client: a 16-byte header (magic `\x82SNAPPY\0`,
 *   version int32, compatible version int32) then chunks of [int32 big-endian length][raw snappy].
 * Every reader we know accepts raw snappy (snappy-java falls back to it when the magic is absent), but
 * not every reader accepts xerial, so eddy writes raw by default and reads both, told apart by the
 * magic. The magic cannot begin a valid raw stream: its third byte would be a copy with no history.
 */

/** The xerial framing magic: 0x82 'SNAPPY' 0x00. */
export const XERIAL_MAGIC = Uint8Array.of(0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00);
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default uncompressed chunk size. */
const XERIAL_CHUNK_SIZE = 32 * 1024;

/** True when `data` starts with the xerial snappy-java header magic. */
export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_MAGIC.length) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Raw snappy compression. */
export function snappyCompressRaw(data: Uint8Array): Buffer {
  return snappyApi().compressSync(data);
}

/** Xerial-framed snappy, as the Java producer writes it (version 1, compatible version 1). */
export function snappyCompressXerial(data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  header.set(XERIAL_MAGIC, 0);
  writeInt32(header, 8, 1);
  writeInt32(header, 12, 1);
  parts.push(header);
  for (let start = 0; start < data.length; start += XERIAL_CHUNK_SIZE) {
    const chunk = snappyApi().compressSync(data.subarray(start, start + XERIAL_CHUNK_SIZE));
    const len = Buffer.alloc(4);
    writeInt32(len, 0, chunk.length);
    parts.push(len, chunk);
  }
  return Buffer.concat(parts);
}

/** Uncompresses one raw snappy stream after checking its declared length against the limit. */
function uncompressRaw(data: Uint8Array, maxBytes: number, chunk: string): Buffer {
  let declared: number;
  try {
    declared = readUnsignedVarint(data, 0)[0];
  } catch (cause) {
    throw corruptBatch(`snappy data${chunk} has no valid length preamble`, undefined, cause);
  }
  if (declared > maxBytes) {
    throw corruptBatch(`snappy data${chunk} claims ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  try {
    const out = snappyApi().uncompressSync(data);
    return typeof out === 'string' ? Buffer.from(out) : out;
  } catch (cause) {
    throw corruptBatch(`snappy data${chunk} does not decompress`, undefined, cause);
  }
}

/** Decompresses raw or xerial-framed snappy (detected by the magic); at most `maxBytes` of output. */
export function snappyDecompress(data: Uint8Array, maxBytes: number): Buffer {
  if (!isXerialFramed(data)) return uncompressRaw(data, maxBytes, '');
  if (data.length < XERIAL_HEADER_SIZE) throw corruptBatch('xerial snappy header is cut short');
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw corruptBatch(`xerial snappy chunk length at byte ${pos} is cut short`);
    const len = readInt32(data, pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) {
      throw corruptBatch(`xerial snappy chunk of ${len} bytes at byte ${pos} overruns the data`);
    }
    const out = uncompressRaw(
      data.subarray(pos, pos + len),
      maxBytes - total,
      ` (xerial chunk at byte ${pos})`,
    );
    total += out.length;
    parts.push(out);
    pos += len;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
}
