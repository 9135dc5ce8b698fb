// Produce's check for a transactional batch, run under the partition's append lock (so no marker can
// slip between check and write): the producer's transaction must be Ongoing at this epoch and hold the
// partition.

import { KafkaError } from '../error-codes.ts';
import type { TransactionalIdEntry } from '../producers/transactional-ids.ts';
import type { Failure } from '../topics/topic-rules.ts';
import { partitionKey } from './txn-state.ts';

/** Partition sets of entries, built once per stored entry (entries are replaced, never changed). */
const membership = new WeakMap<object, Set<string>>();

function holds(entry: Readonly<TransactionalIdEntry>, topic: string, partition: number): boolean {
  let keys = membership.get(entry);
  if (keys === undefined) {
    keys = new Set((entry.partitions ?? []).map(([t, p]) => partitionKey(t, p)));
    membership.set(entry, keys);
  }
  return keys.has(partitionKey(topic, partition));
}

/**
 * Null when a transactional batch of `producerId` at `producerEpoch` may be appended to the partition;
 * else INVALID_PRODUCER_EPOCH (an older epoch) or INVALID_TXN_STATE (no transactional id for the
 * producer, no ongoing transaction, or the partition not in it), what Kafka's KIP-890 verification answers.
 *
 * @example
 * verifyTransactionalWrite(entry, 7, 0, 'orders', 1); // null once AddPartitionsToTxn added orders-1
 */
export function verifyTransactionalWrite(
  entry: Readonly<TransactionalIdEntry> | undefined,
  producerId: number,
  producerEpoch: number,
  topic: string,
  partition: number,
): Failure | null {
  if (entry === undefined || entry.producerId !== producerId) {
    return {
      errorCode: KafkaError.INVALID_TXN_STATE,
      errorMessage: `Producer ${producerId} has no transactional id`,
    };
  }
  if (producerEpoch < entry.producerEpoch) {
    return {
      errorCode: KafkaError.INVALID_PRODUCER_EPOCH,
      errorMessage: `Epoch ${producerEpoch} of producer ${producerId} is older than its current epoch ${entry.producerEpoch}`,
    };
  }
  if (producerEpoch === entry.producerEpoch && entry.state === 'Ongoing' && holds(entry, topic, partition))
    return null;
  return {
    errorCode: KafkaError.INVALID_TXN_STATE,
    errorMessage: `${topic}-${partition} is not in an ongoing transaction of producer ${producerId} (epoch ${producerEpoch})`,
  };
}
