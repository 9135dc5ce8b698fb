import { StreamError } from '../../common/errors.ts';
import { readVarint, readVarlongNumber } from '../varint.ts';
import { BatchCursor } from './batch-cursor.ts';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.ts';
import { corruptBatch, corruptRecords } from './corrupt.ts';
import {
  type BatchHeader,
  CURRENT_MAGIC,
  compressionOf,
  isControl,
  isTransactional,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  RECORDS_OFFSET,
  readBatchHeader,
  type TimestampTypeId,
  timestampTypeOf,
  verifyBatchCrc,
} from './header.ts';
import type { BatchRecord, DecodeOptions, RecordBatch, RecordHeader } from './records.ts';

/**
 * RecordBatch v2 decoder, for the engine's consumers, tests and compaction; the broker's produce and
 * fetch paths never call it. Any bytes that are not a valid batch throw StreamError (BRK_CORRUPT_BATCH,
 * or BRK_UNSUPPORTED_COMPRESSION for codecs 5–7), never another exception type.
 */

/** Smallest encoded record: length, attributes, timestampDelta, offsetDelta, key, value, headers. */
const MIN_RECORD_SIZE = 7;

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Reads an int length prefix (-1 = null) and the bytes after it, bounded by `end`. */
function readNullableBytes(buf: Buffer, pos: number, end: number, what: string): [Buffer | null, number] {
  const [len, next] = readVarint(buf, pos);
  if (len === -1) return [null, next];
  if (len < -1 || next + len > end) throw corruptRecords(`${what} length ${len} overruns its record`, pos);
  return [buf.subarray(next, next + len), next + len];
}

interface TimeBase {
  baseOffset: number;
  baseTimestamp: number;
  maxTimestamp: number;
  timestampType: TimestampTypeId;
}

function readRecord(buf: Buffer, start: number, end: number, base: TimeBase): [BatchRecord, number] {
  const [length, bodyStart] = readVarint(buf, start);
  const recordEnd = bodyStart + length;
  if (length < MIN_RECORD_SIZE - 1 || recordEnd > end) {
    throw corruptRecords(`record length ${length} does not fit the batch`, start);
  }
  const attributes = buf[bodyStart];
  const [timestampDelta, p1] = readVarlongNumber(buf, bodyStart + 1);
  const [offsetDelta, p2] = readVarint(buf, p1);
  const [key, p3] = readNullableBytes(buf, p2, recordEnd, 'key');
  const [value, p4] = readNullableBytes(buf, p3, recordEnd, 'value');
  const [headerCount, p5] = readVarint(buf, p4);
  if (headerCount < 0 || p5 + headerCount * 2 > recordEnd) {
    throw corruptRecords(`header count ${headerCount} does not fit its record`, p4);
  }
  const headers: RecordHeader[] = [];
  let pos = p5;
  for (let i = 0; i < headerCount; i++) {
    const [keyLength, keyStart] = readVarint(buf, pos);
    if (keyLength < 0 || keyStart + keyLength > recordEnd) {
      throw corruptRecords(`header key length ${keyLength} is null or overruns its record`, pos);
    }
    const headerKey = buf.toString('utf8', keyStart, keyStart + keyLength);
    const [headerValue, next] = readNullableBytes(buf, keyStart + keyLength, recordEnd, 'header value');
    headers.push({ key: headerKey, value: headerValue });
    pos = next;
  }
  if (pos !== recordEnd)
    throw corruptRecords(`record declares ${length} bytes but holds ${pos - bodyStart}`, start);
  const timestamp = base.timestampType === 1 ? base.maxTimestamp : base.baseTimestamp + timestampDelta;
  const record: BatchRecord = {
    offset: base.baseOffset + offsetDelta,
    timestamp,
    offsetDelta,
    timestampDelta,
    attributes,
    key,
    value,
    headers,
  };
  return [record, recordEnd];
}

/**
 * Decodes `count` records from uncompressed records bytes; they must fill `data` exactly.
 * Exposed for compaction, which rewrites record sets.
 */
export function decodeRecords(data: Uint8Array, count: number, base: TimeBase): BatchRecord[] {
  const buf = asBuffer(data);
  if (count < 0 || count * MIN_RECORD_SIZE > buf.length) {
    throw corruptRecords(`recordsCount ${count} cannot fit in ${buf.length} bytes of records`, 0);
  }
  const records: BatchRecord[] = [];
  let pos = 0;
  try {
    for (let i = 0; i < count; i++) {
      const [record, next] = readRecord(buf, pos, buf.length, base);
      records.push(record);
      pos = next;
    }
  } catch (cause) {
    if (cause instanceof StreamError) throw cause;
    throw corruptRecords(`record ${records.length} does not decode: ${(cause as Error).message}`, pos, cause);
  }
  if (pos !== buf.length) {
    throw corruptRecords(`${buf.length - pos} bytes follow the ${count} records the batch declares`, pos);
  }
  return records;
}

function decodeAt(buf: Buffer, offset: number, options: DecodeOptions): RecordBatch {
  const header: BatchHeader = readBatchHeader(buf, offset);
  if (header.batchLength < MIN_BATCH_LENGTH) {
    throw corruptBatch(
      `batchLength ${header.batchLength} is below the ${MIN_BATCH_LENGTH}-byte minimum`,
      offset,
    );
  }
  const end = offset + LOG_OVERHEAD + header.batchLength;
  if (end > buf.length) throw corruptBatch(`batch of ${end - offset} bytes is cut short`, offset);
  if (header.magic !== CURRENT_MAGIC) {
    throw corruptBatch(
      `magic ${header.magic} is not ${CURRENT_MAGIC}; only RecordBatch v2 is supported`,
      offset,
    );
  }
  if (options.verifyCrc !== false && !verifyBatchCrc(buf, offset)) {
    throw corruptBatch('record batch fails its CRC-32C check', offset);
  }
  const compression = compressionOf(header.attributes);
  const body = buf.subarray(offset + RECORDS_OFFSET, end);
  const records = decompress(
    compression,
    body,
    options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  );
  const timestampType = timestampTypeOf(header.attributes);
  return {
    ...header,
    compression,
    timestampType,
    transactional: isTransactional(header.attributes),
    control: isControl(header.attributes),
    records: decodeRecords(records, header.recordsCount, { ...header, timestampType }),
  };
}

/**
 * Decodes the one batch at `offset`, checking length, magic, CRC (unless turned off), compression and
 * that exactly recordsCount records fill it.
 *
 * @example const { records } = decodeRecordBatch(fetchedRecords);
 */
export function decodeRecordBatch(buf: Uint8Array, offset = 0, options: DecodeOptions = {}): RecordBatch {
  try {
    return decodeAt(asBuffer(buf), offset, options);
  } catch (cause) {
    if (cause instanceof StreamError) throw cause;
    // A safety net: every known failure is reported above; anything else still leaves as StreamError.
    throw corruptBatch(`record batch does not decode: ${(cause as Error)?.message}`, offset, cause);
  }
}

/**
 * Decodes every whole batch in a records buffer, skipping a partial last one (a Fetch response may
 * end mid-batch).
 *
 * @example for (const batch of decodeRecordBatches(partition.records)) handle(batch.records);
 */
export function decodeRecordBatches(buf: Uint8Array, options: DecodeOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = [];
  const cursor = new BatchCursor(buf);
  while (cursor.next()) batches.push(decodeRecordBatch(buf, cursor.offset, options));
  if (cursor.stop === 'corrupt') throw corruptBatch(cursor.reason, cursor.position);
  return batches;
}
