// What the transaction and idempotence state know about a partition, handed to the log cleaner through
// its seam (compaction/log-facts.ts PartitionTxnView), so compaction never cleans past an open transaction
// and uses the same aborted-transaction list as read_committed fetches.

import type { PartitionTxnView, ProducerLastRecord } from '../compaction/log-facts.ts';
import type { ProducerStates } from '../producers/producer-states.ts';
import type { TopicStore } from '../topics/topic-store.ts';

/**
 * The view of one partition, or undefined when it does not exist.
 *
 * @example
 * topics.compaction.transactionView = (t, p) => partitionTxnView(topics, producers.states, t, p);
 */
export function partitionTxnView(
  topics: TopicStore,
  states: ProducerStates,
  topic: string,
  partition: number,
): PartitionTxnView | undefined {
  const log = topics.partition(topic, partition);
  if (log === undefined) return undefined;
  const state = states.forPartition(topic, partition, log);
  return {
    firstUnstableOffset: () => state.txns.firstUnstableOffset(log.highWatermark),
    abortedTransactions: (from, to) => state.txns.abortedTransactions(from, to),
    activeProducers: () => {
      const producers = new Map<number, ProducerLastRecord>();
      for (const entry of state.entries()) {
        const last = entry.batches.at(-1);
        producers.set(entry.producerId, {
          lastDataOffset: last === undefined ? null : last.lastOffset,
          producerEpoch: entry.epoch,
        });
      }
      return producers;
    },
  };
}
