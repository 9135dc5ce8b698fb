// Topic-level `compression.type` other than `producer`: the broker stores batches with the topic's codec,
// as Kafka does, recompressing the records section when the producer used another one.

import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_MASK,
  compress,
  compressionOf,
  decompress,
  LOG_OVERHEAD,
  RECORDS_OFFSET,
  rewriteBatchCrc,
} from '../../protocol/record-batch/index.ts';

/**
 * The batch in `buf` (one whole batch at offset 0) with its records compressed by `codec`; `buf` itself
 * when it already is. Only the records section, attributes, length and CRC change, so producer ids,
 * sequences and timestamps are kept. Throws BRK_CORRUPT_BATCH when the records do not decompress.
 *
 * @example const stored = recompressBatch(batch, CompressionCodec.ZSTD);
 */
export function recompressBatch(buf: Buffer, codec: number): Buffer {
  const attributes = buf.readInt16BE(ATTRIBUTES_OFFSET);
  const source = compressionOf(attributes);
  if (source === codec) return buf;
  const raw = decompress(
    source,
    buf.subarray(RECORDS_OFFSET, LOG_OVERHEAD + buf.readInt32BE(BATCH_LENGTH_OFFSET)),
  );
  const body = compress(codec, raw);
  const out = Buffer.allocUnsafe(RECORDS_OFFSET + body.length);
  buf.copy(out, 0, 0, RECORDS_OFFSET);
  out.set(body, RECORDS_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  out.writeInt16BE((attributes & ~COMPRESSION_MASK) | codec, ATTRIBUTES_OFFSET);
  rewriteBatchCrc(out, 0);
  return out;
}
