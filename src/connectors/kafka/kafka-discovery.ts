import type { SourceContext } from '../../engine/source.ts';
import { type PartitionConsumer, partitionKey, type TopicPartition } from '../../kafka/partition-consumer.ts';
import { ownedPartitions } from './kafka-assignment.ts';

/** How often an unbounded source looks for added partitions (Flink's partition.discovery.interval.ms). */
export const DISCOVERY_INTERVAL_MS = 10_000;

/** A partition to start reading, and where. */
export interface DiscoveredPartition extends TopicPartition {
  readonly offset: bigint;
}

/**
 * Finds partitions added to a source's topics while it runs: every `interval` ms of job-clock time it
 * re-reads the partition counts and returns the added partitions this subtask owns (partitionOwner),
 * each at its earliest offset. Everything written to a partition added after the job started is new
 * to it, and a later start (startFrom 'latest') could skip records, so Flink's rule is followed.
 *
 * @example
 * const discovery = new PartitionDiscovery(['clicks'], 10_000, counts, ctx);
 * for (const { topic, partition, offset } of await discovery.poll(consumer)) read(topic, partition, offset);
 */
export class PartitionDiscovery {
  private readonly topics: readonly string[];
  private readonly interval: number;
  private readonly ctx: SourceContext;
  /** Partition counts seen so far, by topic: partitions past them are new. */
  private readonly known: Map<string, number>;
  private nextAt: number;

  /** `interval` 0 turns discovery off; `counts` are the partition counts the source opened with. */
  constructor(
    topics: readonly string[],
    interval: number,
    counts: ReadonlyMap<string, number>,
    ctx: SourceContext,
  ) {
    this.topics = topics;
    this.interval = interval;
    this.known = new Map(counts);
    this.ctx = ctx;
    this.nextAt = ctx.clock.now() + interval;
  }

  /**
   * The added partitions this subtask owns, once an interval has passed since the last look (else
   * none). A failed look is logged and made again at the next interval: a metadata hiccup must not
   * fail the job, and partitions whose offsets could not be read stay new until they can.
   */
  async poll(consumer: PartitionConsumer): Promise<DiscoveredPartition[]> {
    const { ctx } = this;
    if (this.interval <= 0 || ctx.clock.now() < this.nextAt) return [];
    this.nextAt = ctx.clock.now() + this.interval;
    try {
      const counts = await consumer.partitionCounts(this.topics, true);
      const added = ownedPartitions(this.topics, counts, ctx.subtaskIndex, ctx.parallelism, this.known);
      const starts = added.length > 0 ? await consumer.listOffsets(added, 'earliest') : new Map();
      // Kafka never removes partitions; a smaller count is a stale answer and changes nothing.
      for (const [topic, count] of counts)
        if (count > (this.known.get(topic) ?? 0)) this.known.set(topic, count);
      if (added.length > 0)
        ctx.logger?.info(
          { source: ctx.operatorName, subtask: ctx.subtaskIndex, partitions: added.map(partitionKey) },
          'kafka source reads added partitions from their earliest offset',
        );
      return added.map((tp) => ({ ...tp, offset: starts.get(partitionKey(tp)) ?? 0n }));
    } catch (error) {
      // After a cancel the consumer is closing: failing requests are expected then.
      if (!ctx.signal.aborted)
        ctx.logger?.warn(
          { err: error, source: ctx.operatorName, subtask: ctx.subtaskIndex },
          `kafka source could not look for added partitions; it tries again in ${this.interval} ms`,
        );
      return [];
    }
  }
}
