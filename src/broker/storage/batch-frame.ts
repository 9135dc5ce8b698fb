// Batch framing as the log sees it: where each batch starts and ends, the header facts the indexes
// need, and sanity checks for recovery. Field positions and the single-field readers come from the
// protocol's RecordBatch header module; the storage layer never decodes records.

import { StreamError } from '../../common/errors.ts';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  batchBaseOffset,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD,
  setBaseOffset,
} from '../../protocol/record-batch/header.ts';

export { batchBaseOffset, LOG_OVERHEAD };
/** Bytes of a v2 header up to and including recordsCount; the smallest possible batch. */
export const BATCH_HEADER_SIZE = RECORD_BATCH_OVERHEAD;
/** The only record-batch format the log stores. */
export const BATCH_MAGIC = CURRENT_MAGIC;

const TWO_32 = 2 ** 32;

/** A CRC-32C (Castagnoli) function; the caller supplies the implementation. */
export type Crc32c = (data: Uint8Array) => number;

/** Where one batch sits in a buffer or file, with the header fields the log indexes by. */
export interface BatchFrame {
  /** Byte position of the batch's first byte (in its buffer or segment file). */
  position: number;
  /** Whole batch size in bytes (LOG_OVERHEAD + batchLength). */
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
}

/** Whole size in bytes of the batch at `at` (its batchLength plus the 12 bytes before it). */
export function batchSize(buf: Buffer, at: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH_OFFSET);
}

/** magic byte of the batch at `at` (2 for RecordBatch v2). */
export function batchMagic(buf: Buffer, at: number): number {
  return buf.readInt8(at + MAGIC_OFFSET);
}

/** lastOffsetDelta of the batch at `at`: the batch spans baseOffset..baseOffset + lastOffsetDelta. */
export function batchLastOffsetDelta(buf: Buffer, at: number): number {
  return buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
}

/** maxTimestamp of the batch at `at`. */
export function batchMaxTimestamp(buf: Buffer, at: number): number {
  // Timestamps stay far below 2^53, so a number is exact and cheaper than a bigint.
  return (
    buf.readInt32BE(at + MAX_TIMESTAMP_OFFSET) * TWO_32 + buf.readUInt32BE(at + MAX_TIMESTAMP_OFFSET + 4)
  );
}

/** Rewrites baseOffset in place. The CRC does not cover it, so the batch stays valid. */
export function setBatchBaseOffset(buf: Buffer, at: number, offset: number): void {
  setBaseOffset(buf, at, offset);
}

/** Whether the stored CRC-32C matches the bytes from attributes to the end of the batch at `at`. */
export function batchCrcMatches(buf: Buffer, at: number, crc32c: Crc32c): boolean {
  const end = at + batchSize(buf, at);
  return buf.readUInt32BE(at + CRC_OFFSET) === crc32c(buf.subarray(at + ATTRIBUTES_OFFSET, end)) >>> 0;
}

/**
 * Why the bytes at `at` (with `end` the end of valid data) are not a sane v2 batch frame, or null when the
 * length, magic and offset delta are plausible and the whole batch is present. Does not check the CRC.
 */
export function frameProblem(buf: Buffer, at: number, end: number): string | null {
  if (end - at < LOG_OVERHEAD)
    return `only ${end - at} bytes left, a batch needs at least ${BATCH_HEADER_SIZE}`;
  const size = batchSize(buf, at);
  if (size < BATCH_HEADER_SIZE) return `batch length ${size - LOG_OVERHEAD} is below the v2 minimum`;
  if (size > end - at) return `batch of ${size} bytes runs past the end (${end - at} bytes left)`;
  const magic = batchMagic(buf, at);
  if (magic !== BATCH_MAGIC) return `magic ${magic}, only RecordBatch v2 (magic 2) is stored`;
  if (batchLastOffsetDelta(buf, at) < 0) return 'negative lastOffsetDelta';
  return null;
}

/** Header facts of the batch at `at`, assumed to be sanely framed. */
export function readFrame(buf: Buffer, at: number, position = at): BatchFrame {
  return {
    position,
    size: batchSize(buf, at),
    baseOffset: batchBaseOffset(buf, at),
    lastOffsetDelta: batchLastOffsetDelta(buf, at),
    maxTimestamp: batchMaxTimestamp(buf, at),
  };
}

/**
 * Splits a buffer of one or more concatenated v2 batches into frames, or throws BRK_CORRUPT_BATCH.
 *
 * @example
 * const frames = frameBatches(produceRecords); // [{ position: 0, size: 120, ... }]
 */
export function frameBatches(buf: Buffer): BatchFrame[] {
  const frames: BatchFrame[] = [];
  let at = 0;
  while (at < buf.length) {
    const problem = frameProblem(buf, at, buf.length);
    if (problem !== null) {
      throw new StreamError('BRK_CORRUPT_BATCH', `record batch at byte ${at} is malformed: ${problem}`, {
        details: { position: at },
      });
    }
    const frame = readFrame(buf, at);
    frames.push(frame);
    at += frame.size;
  }
  if (frames.length === 0) throw new StreamError('BRK_CORRUPT_BATCH', 'no record batch to append');
  return frames;
}
