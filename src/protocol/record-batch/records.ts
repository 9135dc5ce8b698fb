import type { BatchHeader, TimestampTypeId } from './header.ts';

/**
 * Record and batch shapes shared by the encoder and the decoder. Keys, values and header values are
 * bytes; a header key is a string (Kafka writes it as UTF-8).
 */

/** One record header. The key is never null; the value may be. */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** A record to encode. Timestamps are absolute milliseconds; the encoder works out the deltas. */
export interface RecordInput {
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: readonly RecordHeader[];
  /** Absolute timestamp in ms; defaults to the batch's base timestamp. */
  timestamp?: number;
  /** Defaults to the record's index in the batch; compacted batches have gaps. */
  offsetDelta?: number;
}

/**
 * A decoded record. Keys, values and header values are views into the batch's bytes (or into its
 * decompressed records), not copies: copy them if the buffer is reused.
 */
export interface BatchRecord {
  /** baseOffset + offsetDelta. */
  offset: number;
  /** baseTimestamp + timestampDelta, or maxTimestamp for a LogAppendTime batch (as Kafka clients do). */
  timestamp: number;
  offsetDelta: number;
  timestampDelta: number;
  /** Record attributes int8; unused by Kafka today. */
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A fully decoded RecordBatch v2: header fields, decoded attribute bits and the records. */
export interface RecordBatch extends BatchHeader {
  compression: number;
  timestampType: TimestampTypeId;
  transactional: boolean;
  control: boolean;
  records: BatchRecord[];
}

/** Batch-level choices for encodeRecordBatch; every field has a Kafka "none" default. */
export interface EncodeBatchOptions {
  /** Default 0; the broker rewrites it on append. */
  baseOffset?: number;
  /** Default -1. */
  partitionLeaderEpoch?: number;
  /** Codec id 0–4; default 0 (none). */
  compression?: number;
  /** 'raw' (default) or 'xerial' snappy container; see snappy.ts. */
  snappyFormat?: 'raw' | 'xerial';
  /** 0 CreateTime (default) or 1 LogAppendTime. */
  timestampType?: TimestampTypeId;
  transactional?: boolean;
  control?: boolean;
  /** Default -1 (not idempotent). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  /** Default: the first record's timestamp, else now; -1 for an empty batch. */
  baseTimestamp?: number;
  /** Default: the largest record timestamp (-1 for an empty batch). */
  maxTimestamp?: number;
  /** Default: the largest offsetDelta (0 for an empty batch); compaction keeps the original. */
  lastOffsetDelta?: number;
}

/** Decoding knobs. */
export interface DecodeOptions {
  /** Check the CRC-32C first (default true). */
  verifyCrc?: boolean;
  /** Cap on decompressed records bytes (default DEFAULT_MAX_DECOMPRESSED_BYTES). */
  maxDecompressedBytes?: number;
}
