// What the broker does with a batch's producer fields (producerId, epoch, sequence, transactional bit).
// This is the seam for idempotence and transactions: until they exist, idempotent batches are plain
// appends and transactional ones are refused.

import { type BatchHeader, isTransactional } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import type { Failure } from '../topics/topic-rules.ts';

/**
 * Null when the batch may be appended, else the error to answer.
 *
 * Transactional batches get INVALID_TXN_STATE (48): that is what Kafka (with KIP-890 verification, on by
 * default since 3.6) answers when a producer writes transactional data to a partition that is not part of
 * an ongoing transaction — and with no transaction coordinator, none is. Idempotent, non-transactional
 * batches (producerId >= 0) are accepted without sequence checks; duplicates from retries are possible
 * until producer state exists.
 */
export function checkProducerFields(header: BatchHeader): Failure | null {
  if (isTransactional(header.attributes)) {
    return {
      errorCode: KafkaError.INVALID_TXN_STATE,
      errorMessage: `Producer ${header.producerId} has no ongoing transaction on this partition (transactions are not supported yet)`,
    };
  }
  return null;
}
