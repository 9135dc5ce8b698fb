import { readInt16, readInt32, readInt64, readUInt32, writeInt16, writeInt32, writeInt64 } from './bytes.ts';
import { corruptBatch } from './corrupt.ts';
import { crc32c } from './crc32c.ts';

/**
 * The 61-byte RecordBatch v2 header: offsets, attribute bits and cheap accessors. The broker's produce
 * and storage paths only ever look at these bytes; records stay opaque.
 */

/** Byte offsets of header fields, relative to the batch start. */
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;

/** Size of the whole header; the smallest possible batch. */
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** Smallest legal batchLength value (a batch with no records). */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
/** The only message format eddy stores and serves. */
export const CURRENT_MAGIC = 2;

/** Attribute bits. */
export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;
export const DELETE_HORIZON_MASK = 0x40;

/** Values of the timestamp-type attribute bit. */
export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const;
/** 0 = CreateTime (producer's clock), 1 = LogAppendTime (broker's clock). */
export type TimestampTypeId = (typeof TimestampType)[keyof typeof TimestampType];

/** Every header field, int64s as numbers. */
export interface BatchHeader {
  baseOffset: number;
  /** Bytes after the batchLength field; the whole batch is LOG_OVERHEAD + batchLength bytes. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  /** Unsigned CRC-32C as stored. */
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/**
 * Reads the header of the batch starting at `offset`. Checks only that 61 bytes are there; use
 * verifyBatchCrc or decodeRecordBatch for more.
 *
 * @example const h = readBatchHeader(buf, 0); const next = h.batchLength + LOG_OVERHEAD;
 */
export function readBatchHeader(buf: Uint8Array, offset: number): BatchHeader {
  if (offset < 0 || offset + RECORD_BATCH_OVERHEAD > buf.length) {
    throw corruptBatch('record batch header is cut short', offset);
  }
  return {
    baseOffset: readInt64(buf, offset + BASE_OFFSET_OFFSET),
    batchLength: readInt32(buf, offset + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: readInt32(buf, offset + PARTITION_LEADER_EPOCH_OFFSET),
    magic: (buf[offset + MAGIC_OFFSET] << 24) >> 24,
    crc: readUInt32(buf, offset + CRC_OFFSET),
    attributes: readInt16(buf, offset + ATTRIBUTES_OFFSET),
    lastOffsetDelta: readInt32(buf, offset + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64(buf, offset + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, offset + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, offset + PRODUCER_ID_OFFSET),
    producerEpoch: readInt16(buf, offset + PRODUCER_EPOCH_OFFSET),
    baseSequence: readInt32(buf, offset + BASE_SEQUENCE_OFFSET),
    recordsCount: readInt32(buf, offset + RECORDS_COUNT_OFFSET),
  };
}

/** Compression codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd; 5–7 are invalid). */
export function compressionOf(attributes: number): number {
  return attributes & COMPRESSION_MASK;
}

/** Timestamp type from attributes: 0 CreateTime, 1 LogAppendTime. */
export function timestampTypeOf(attributes: number): TimestampTypeId {
  return attributes & TIMESTAMP_TYPE_MASK ? 1 : 0;
}

/** Whether the batch belongs to a transaction. */
export function isTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_MASK) !== 0;
}

/** Whether the batch holds a control record (a transaction marker), never shown to applications. */
export function isControl(attributes: number): boolean {
  return (attributes & CONTROL_MASK) !== 0;
}

/** Whether compaction has set a delete horizon in baseTimestamp (KIP-534). */
export function hasDeleteHorizon(attributes: number): boolean {
  return (attributes & DELETE_HORIZON_MASK) !== 0;
}

/** Options that make up the attributes int16. */
export interface AttributeOptions {
  compression?: number;
  timestampType?: TimestampTypeId;
  transactional?: boolean;
  control?: boolean;
}

/** Builds the attributes int16 from its parts. */
export function buildAttributes(o: AttributeOptions): number {
  return (
    ((o.compression ?? 0) & COMPRESSION_MASK) |
    (o.timestampType === 1 ? TIMESTAMP_TYPE_MASK : 0) |
    (o.transactional ? TRANSACTIONAL_MASK : 0) |
    (o.control ? CONTROL_MASK : 0)
  );
}

/** Attributes of the batch at `offset`, read without building a header object. */
export function batchAttributes(buf: Uint8Array, offset: number): number {
  return readInt16(buf, offset + ATTRIBUTES_OFFSET);
}

/** Base offset of the batch at `offset`. */
export function batchBaseOffset(buf: Uint8Array, offset: number): number {
  return readInt64(buf, offset + BASE_OFFSET_OFFSET);
}

/** Last offset of the batch at `offset` (baseOffset + lastOffsetDelta). */
export function batchLastOffset(buf: Uint8Array, offset: number): number {
  return readInt64(buf, offset + BASE_OFFSET_OFFSET) + readInt32(buf, offset + LAST_OFFSET_DELTA_OFFSET);
}

/**
 * Overwrites baseOffset in place. It lies outside the CRC, so this is how the broker assigns offsets
 * to a batch it stores as received.
 */
export function setBaseOffset(buf: Uint8Array, offset: number, value: number): void {
  writeInt64(buf, offset + BASE_OFFSET_OFFSET, value);
}

/** Overwrites partitionLeaderEpoch in place (also outside the CRC). */
export function setPartitionLeaderEpoch(buf: Uint8Array, offset: number, value: number): void {
  writeInt32(buf, offset + PARTITION_LEADER_EPOCH_OFFSET, value);
}

/** CRC-32C the batch at `offset` should carry (attributes to the end). */
export function computeBatchCrc(buf: Uint8Array, offset: number): number {
  const end = offset + LOG_OVERHEAD + readInt32(buf, offset + BATCH_LENGTH_OFFSET);
  return crc32c(buf.subarray(offset + ATTRIBUTES_OFFSET, end));
}

/**
 * True when the stored CRC matches the batch's bytes. The batch must be complete in `buf`
 * (batchLength within bounds); false otherwise.
 */
export function verifyBatchCrc(buf: Uint8Array, offset: number): boolean {
  if (offset < 0 || offset + RECORD_BATCH_OVERHEAD > buf.length) return false;
  const batchLength = readInt32(buf, offset + BATCH_LENGTH_OFFSET);
  if (batchLength < MIN_BATCH_LENGTH || offset + LOG_OVERHEAD + batchLength > buf.length) return false;
  return computeBatchCrc(buf, offset) === readUInt32(buf, offset + CRC_OFFSET);
}

/** Recomputes and stores the CRC after a change to bytes it covers. */
export function rewriteBatchCrc(buf: Uint8Array, offset: number): void {
  writeInt32(buf, offset + CRC_OFFSET, computeBatchCrc(buf, offset));
}

/**
 * Stamps a batch with LogAppendTime as Kafka does for topics with message.timestamp.type=LogAppendTime:
 * sets the timestamp-type bit and maxTimestamp, then recomputes the CRC (both are covered by it).
 */
export function setLogAppendTime(buf: Uint8Array, offset: number, timestamp: number): void {
  const attributes = readInt16(buf, offset + ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK;
  writeInt16(buf, offset + ATTRIBUTES_OFFSET, attributes);
  writeInt64(buf, offset + MAX_TIMESTAMP_OFFSET, timestamp);
  rewriteBatchCrc(buf, offset);
}
