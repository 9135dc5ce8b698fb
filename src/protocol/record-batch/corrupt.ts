import { StreamError } from '../../common/errors.ts';

/**
 * The one way this folder reports bytes that are not a valid RecordBatch: a StreamError with code
 * BRK_CORRUPT_BATCH, whose details carry the byte position (when one is known) for logs and recovery.
 */
export function corruptBatch(message: string, position?: number, cause?: unknown): StreamError {
  const where = position === undefined ? '' : ` (at byte ${position})`;
  return new StreamError('BRK_CORRUPT_BATCH', `${message}${where}`, {
    details: position === undefined ? {} : { position },
    cause,
  });
}

/**
 * Like corruptBatch, for a fault inside the records section; `position` counts from the first record
 * (after decompression, for a compressed batch).
 */
export function corruptRecords(message: string, position: number, cause?: unknown): StreamError {
  return new StreamError('BRK_CORRUPT_BATCH', `${message} (at byte ${position} of the records)`, {
    details: { recordsPosition: position },
    cause,
  });
}
