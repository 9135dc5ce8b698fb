// Reading a partition's batches in offset order through the log's normal read path, so the cleaner shares
// the readers' pinning of segment files and never touches storage internals.

import { StreamError } from '../../common/errors.ts';
import { batchBaseOffset, batchLastOffset, LOG_OVERHEAD } from '../../protocol/record-batch/header.ts';
import type { PartitionLog } from '../storage/partition-log.ts';

/** Bytes read per call; a larger batch still comes back whole. */
const CHUNK_BYTES = 1 << 20;

/** One stored batch: its bytes (a view into a read buffer) and offsets. */
export interface StoredBatch {
  bytes: Buffer;
  baseOffset: number;
  lastOffset: number;
}

/**
 * Every batch holding offsets in [max(from, log start), to), in order. Throws BRK_LOG_OFFSET_OUT_OF_RANGE when the log
 * start moves past the reader (retention ran meanwhile), which abandons the clean.
 *
 * @example for await (const b of batchesInRange(log, 0, 1000)) console.log(b.baseOffset);
 */
export async function* batchesInRange(
  log: PartitionLog,
  from: number,
  to: number,
): AsyncGenerator<StoredBatch> {
  // Records below the log start (DeleteRecords) are gone for readers, and so for the cleaner.
  let offset = Math.max(from, log.logStartOffset);
  while (offset < to) {
    const result = await log.read(offset, CHUNK_BYTES, { maxOffset: to });
    if (result.outOfRange) {
      throw new StreamError(
        'BRK_LOG_OFFSET_OUT_OF_RANGE',
        `offset ${offset} left the log of ${log.dir} while it was being compacted (log start ${result.logStartOffset})`,
      );
    }
    const buf = result.records;
    if (buf.length === 0) return;
    let at = 0;
    while (at + LOG_OVERHEAD <= buf.length) {
      const size = LOG_OVERHEAD + buf.readInt32BE(at + 8);
      const baseOffset = batchBaseOffset(buf, at);
      const lastOffset = batchLastOffset(buf, at);
      if (at + size > buf.length) break;
      // The first batch of a read may start below `offset` only when it holds it, which happens once.
      if (lastOffset >= offset) yield { bytes: buf.subarray(at, at + size), baseOffset, lastOffset };
      offset = lastOffset + 1;
      at += size;
    }
    if (at === 0) return;
  }
}
