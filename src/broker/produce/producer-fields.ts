// What the broker does with a batch's transactional bit before the append. Idempotence (sequence and
// epoch checks, duplicates) needs the partition's producer state under the append lock, so it runs in the
// append step: see producers/idempotent-append.ts. A transactional batch additionally needs the
// transaction coordinator's word that the partition is in the producer's ongoing transaction; that check
// also runs under the append lock, so a commit or abort marker can never slip between check and write.

import { type BatchHeader, isTransactional } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import type { AdmitCheck } from '../producers/producer-state-manager.ts';
import type { Failure } from '../topics/topic-rules.ts';

/** The transaction coordinator as Produce sees it. */
export interface TransactionalWrites {
  /** Null when the producer's ongoing transaction holds the partition at this epoch, else the error. */
  verifyWrite(producerId: number, producerEpoch: number, topic: string, partition: number): Failure | null;
}

/**
 * The check to run under the append lock for a batch, or null for a non-transactional one. Without a
 * coordinator every transactional batch gets INVALID_TXN_STATE (48), what Kafka (with KIP-890
 * verification, on by default since 3.6) answers for a partition outside any ongoing transaction.
 *
 * @example
 * const check = transactionalCheck(header, 'orders', 0, broker.transactions);
 */
export function transactionalCheck(
  header: BatchHeader,
  topic: string,
  partition: number,
  txns: TransactionalWrites | undefined,
): AdmitCheck | null {
  if (!isTransactional(header.attributes)) return null;
  if (txns === undefined) {
    return () => ({
      errorCode: KafkaError.INVALID_TXN_STATE,
      errorMessage: `Producer ${header.producerId} has no ongoing transaction on ${topic}-${partition}`,
    });
  }
  return () => txns.verifyWrite(header.producerId, header.producerEpoch, topic, partition);
}
