import { StreamError } from '../../common/errors.ts';
import { varintSize, varlongNumberSize, writeVarint, writeVarlongNumber } from '../varint.ts';
import { writeInt16, writeInt32, writeInt64 } from './bytes.ts';
import { CompressionCodec, compress } from './compression.ts';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  buildAttributes,
  CRC_OFFSET,
  CURRENT_MAGIC,
  computeBatchCrc,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
} from './header.ts';
import type { EncodeBatchOptions, RecordInput } from './records.ts';

/**
 * RecordBatch v2 encoder. Sizes are computed first so an uncompressed batch is written into one
 * exactly-sized buffer; a compressed one costs one extra buffer for the records before compression.
 */

function invalid(message: string, cause?: unknown): StreamError {
  return new StreamError('BRK_PROTOCOL_INVALID_VALUE', message, { cause });
}

function bytesSize(b: Uint8Array | null | undefined): number {
  return b == null ? varintSize(-1) : varintSize(b.length) + b.length;
}

function recordBodySize(r: RecordInput, timestampDelta: number, offsetDelta: number): number {
  let size = 1 + varlongNumberSize(timestampDelta) + varintSize(offsetDelta);
  size += bytesSize(r.key) + bytesSize(r.value);
  const headers = r.headers ?? [];
  size += varintSize(headers.length);
  for (const h of headers) {
    const keyLength = Buffer.byteLength(h.key, 'utf8');
    size += varintSize(keyLength) + keyLength + bytesSize(h.value);
  }
  return size;
}

function writeBytes(buf: Buffer, pos: number, b: Uint8Array | null | undefined): number {
  if (b == null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

function writeRecord(
  buf: Buffer,
  pos: number,
  r: RecordInput,
  body: number,
  tsDelta: number,
  oDelta: number,
) {
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // record attributes: unused
  pos = writeVarlongNumber(buf, pos, tsDelta);
  pos = writeVarint(buf, pos, oDelta);
  pos = writeBytes(buf, pos, r.key);
  pos = writeBytes(buf, pos, r.value);
  const headers = r.headers ?? [];
  pos = writeVarint(buf, pos, headers.length);
  for (const h of headers) {
    pos = writeVarint(buf, pos, Buffer.byteLength(h.key, 'utf8'));
    pos += buf.write(h.key, pos, 'utf8');
    pos = writeBytes(buf, pos, h.value);
  }
  return pos;
}

function checkedInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} ${value} is not an integer in [${min}, ${max}]`);
  }
  return value;
}

const INT16: [number, number] = [-(2 ** 15), 2 ** 15 - 1];
const INT32: [number, number] = [-(2 ** 31), 2 ** 31 - 1];
const INT64: [number, number] = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

/** Sizes and deltas worked out before writing, so the output buffer is allocated once. */
interface RecordsPlan {
  bodySizes: number[];
  timestampDeltas: number[];
  offsetDeltas: number[];
  size: number;
  maxTimestamp: number;
  maxOffsetDelta: number;
}

function planRecords(records: readonly RecordInput[], baseTimestamp: number): RecordsPlan {
  const n = records.length;
  const plan: RecordsPlan = {
    bodySizes: new Array<number>(n),
    timestampDeltas: new Array<number>(n),
    offsetDeltas: new Array<number>(n),
    size: 0,
    maxTimestamp: n === 0 ? -1 : Number.NEGATIVE_INFINITY,
    maxOffsetDelta: 0,
  };
  try {
    for (let i = 0; i < n; i++) {
      const r = records[i];
      const timestamp = r.timestamp ?? baseTimestamp;
      const offsetDelta =
        r.offsetDelta === undefined ? i : checkedInt('offsetDelta', r.offsetDelta, ...INT32);
      if (timestamp > plan.maxTimestamp) plan.maxTimestamp = timestamp;
      if (offsetDelta > plan.maxOffsetDelta) plan.maxOffsetDelta = offsetDelta;
      const body = recordBodySize(r, timestamp - baseTimestamp, offsetDelta);
      plan.timestampDeltas[i] = timestamp - baseTimestamp;
      plan.offsetDeltas[i] = offsetDelta;
      plan.bodySizes[i] = body;
      plan.size += varintSize(body) + body;
    }
  } catch (cause) {
    if (cause instanceof StreamError) throw cause;
    throw invalid('a record does not fit RecordBatch v2 (timestamp delta or length out of range)', cause);
  }
  return plan;
}

function writeRecords(buf: Buffer, start: number, records: readonly RecordInput[], plan: RecordsPlan): void {
  let pos = start;
  for (let i = 0; i < records.length; i++) {
    pos = writeRecord(buf, pos, records[i], plan.bodySizes[i], plan.timestampDeltas[i], plan.offsetDeltas[i]);
  }
  // allocUnsafe buffers: a size mismatch would leave stale memory in the batch, so it is fatal.
  if (pos !== start + plan.size) throw invalid(`record sizes disagree: wrote ${pos - start} of ${plan.size}`);
}

/**
 * Encodes records into one RecordBatch v2, CRC included.
 *
 * @example
 * const batch = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: Date.now() }],
 *   { compression: CompressionCodec.ZSTD });
 */
export function encodeRecordBatch(records: readonly RecordInput[], options: EncodeBatchOptions = {}): Buffer {
  const n = records.length;
  const baseTimestamp =
    options.baseTimestamp ??
    (n === 0 ? -1 : (records.find((r) => r.timestamp !== undefined)?.timestamp ?? Date.now()));
  checkedInt('baseTimestamp', baseTimestamp, ...INT64);
  const plan = planRecords(records, baseTimestamp);

  const codec = options.compression ?? CompressionCodec.NONE;
  let out: Buffer;
  if (codec === CompressionCodec.NONE) {
    out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + plan.size);
    writeRecords(out, RECORD_BATCH_OVERHEAD, records, plan);
  } else {
    const raw = Buffer.allocUnsafe(plan.size);
    writeRecords(raw, 0, records, plan);
    const body = compress(codec, raw, { snappyFormat: options.snappyFormat });
    out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
    out.set(body, RECORD_BATCH_OVERHEAD);
  }

  const attributes = buildAttributes({
    compression: codec,
    timestampType: options.timestampType,
    transactional: options.transactional,
    control: options.control,
  });
  writeInt64(out, BASE_OFFSET_OFFSET, checkedInt('baseOffset', options.baseOffset ?? 0, ...INT64));
  writeInt32(out, BATCH_LENGTH_OFFSET, checkedInt('batchLength', out.length - LOG_OVERHEAD, ...INT32));
  writeInt32(
    out,
    PARTITION_LEADER_EPOCH_OFFSET,
    checkedInt('partitionLeaderEpoch', options.partitionLeaderEpoch ?? -1, ...INT32),
  );
  out[MAGIC_OFFSET] = CURRENT_MAGIC;
  writeInt16(out, ATTRIBUTES_OFFSET, attributes);
  writeInt32(
    out,
    LAST_OFFSET_DELTA_OFFSET,
    checkedInt('lastOffsetDelta', options.lastOffsetDelta ?? plan.maxOffsetDelta, ...INT32),
  );
  writeInt64(out, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(
    out,
    MAX_TIMESTAMP_OFFSET,
    checkedInt('maxTimestamp', options.maxTimestamp ?? plan.maxTimestamp, ...INT64),
  );
  writeInt64(out, PRODUCER_ID_OFFSET, checkedInt('producerId', options.producerId ?? -1, ...INT64));
  writeInt16(out, PRODUCER_EPOCH_OFFSET, checkedInt('producerEpoch', options.producerEpoch ?? -1, ...INT16));
  writeInt32(out, BASE_SEQUENCE_OFFSET, checkedInt('baseSequence', options.baseSequence ?? -1, ...INT32));
  writeInt32(out, RECORDS_COUNT_OFFSET, n);
  writeInt32(out, CRC_OFFSET, computeBatchCrc(out, 0));
  return out;
}
