import { readInt32 } from './bytes.ts';
import { corruptBatch } from './corrupt.ts';
import {
  BATCH_LENGTH_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MIN_BATCH_LENGTH,
} from './header.ts';

/**
 * Walks a records buffer (a Produce/Fetch `records` field or a log segment) batch by batch without
 * decoding records or allocating per batch. Only framing is checked: batchLength and magic. A partial
 * last batch is normal in Fetch responses (Kafka cuts at max bytes), so it ends the walk as
 * 'truncated' rather than as an error.
 */

/** Why a cursor stopped: clean end, a partial last batch, or bytes that cannot be a v2 batch. */
export type CursorStop = 'running' | 'end' | 'truncated' | 'corrupt';

/**
 * A reusable position over concatenated batches.
 *
 * @example
 * const c = new BatchCursor(records);
 * while (c.next()) setBaseOffset(records, c.offset, nextOffset(c));
 * if (c.stop === 'corrupt') throw new Error(c.reason); // c.position = bytes that were whole batches
 */
export class BatchCursor {
  readonly buf: Uint8Array;
  readonly end: number;
  /** Start of the batch after the current one; after the walk, the end of the last whole batch. */
  position: number;
  /** Start of the current batch (valid after next() returned true). */
  offset = -1;
  /** Total bytes of the current batch, LOG_OVERHEAD included. */
  length = 0;
  stop: CursorStop = 'running';
  /** Says what was wrong when stop is 'corrupt'. */
  reason = '';

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.position = start;
    this.end = Math.min(end, buf.length);
  }

  /** Moves to the next whole batch; false when the walk is over (see `stop`). */
  next(): boolean {
    if (this.stop !== 'running') return false;
    const p = this.position;
    const remaining = this.end - p;
    if (remaining <= 0) return this.halt('end');
    if (remaining < LOG_OVERHEAD) return this.halt('truncated');
    const batchLength = readInt32(this.buf, p + BATCH_LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) {
      return this.halt('corrupt', `batchLength ${batchLength} is below the ${MIN_BATCH_LENGTH}-byte minimum`);
    }
    if (remaining < LOG_OVERHEAD + batchLength) return this.halt('truncated');
    const magic = this.buf[p + MAGIC_OFFSET];
    if (magic !== CURRENT_MAGIC) {
      return this.halt('corrupt', `magic ${magic} is not ${CURRENT_MAGIC}; only RecordBatch v2 is supported`);
    }
    this.offset = p;
    this.length = LOG_OVERHEAD + batchLength;
    this.position = p + this.length;
    return true;
  }

  private halt(stop: CursorStop, reason = ''): false {
    this.stop = stop;
    this.reason = reason;
    this.offset = -1;
    this.length = 0;
    return false;
  }
}

/** Where one batch lies in a records buffer. */
export interface BatchView {
  offset: number;
  length: number;
}

/**
 * Yields every whole batch in `buf[start, end)`; a partial last batch is skipped silently, as a Kafka
 * client does with a Fetch response. Throws StreamError BRK_CORRUPT_BATCH on bytes that cannot be one.
 *
 * @example for (const { offset, length } of batchViews(records)) store(records.subarray(offset, offset + length));
 */
export function* batchViews(buf: Uint8Array, start = 0, end = buf.length): Generator<BatchView> {
  const cursor = new BatchCursor(buf, start, end);
  while (cursor.next()) yield { offset: cursor.offset, length: cursor.length };
  if (cursor.stop === 'corrupt') throw corruptBatch(cursor.reason, cursor.position);
}
