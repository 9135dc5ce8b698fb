import { type PartitionConsumer, partitionKey, type TopicPartition } from '../../kafka/partition-consumer.ts';
import type { KafkaSourceConfig } from './kafka-source.ts';

export interface StartOptions {
  readonly startFrom: KafkaSourceConfig['startFrom'];
  readonly groupId: string;
  /** Positions from a checkpoint, by split; empty when the job did not restore. */
  readonly restored: ReadonlyMap<string, bigint>;
}

/**
 * Where each of `partitions` starts when a source opens. After a restore, restored partitions start at
 * their position; partitions of a restored topic that the checkpoint does not know were added since, so
 * they start at the earliest offset (as Flink does); topics the checkpoint does not know start from
 * startFrom.
 *
 * @example
 * const starts = await startOffsets(consumer, [{ topic: 'clicks', partition: 0 }],
 *   { startFrom: 'earliest', groupId: 'eddy-job', restored: new Map() }); // Map { 'clicks-0' => 0n }
 */
export async function startOffsets(
  consumer: PartitionConsumer,
  partitions: readonly TopicPartition[],
  options: StartOptions,
): Promise<Map<string, bigint>> {
  const { restored } = options;
  if (restored.size === 0) return configuredStarts(consumer, partitions, options);
  const restoredTopics = new Set([...restored.keys()].map((split) => split.replace(/-\d+$/, '')));
  const starts = new Map<string, bigint>();
  const added: TopicPartition[] = [];
  const unknown: TopicPartition[] = [];
  for (const tp of partitions) {
    const offset = restored.get(partitionKey(tp));
    if (offset !== undefined) starts.set(partitionKey(tp), offset);
    else (restoredTopics.has(tp.topic) ? added : unknown).push(tp);
  }
  if (added.length > 0) for (const [k, o] of await consumer.listOffsets(added, 'earliest')) starts.set(k, o);
  for (const [k, o] of await configuredStarts(consumer, unknown, options)) starts.set(k, o);
  return starts;
}

/** Start offsets from `startFrom`; 'committed' falls back to the earliest offset where the group has none. */
async function configuredStarts(
  consumer: PartitionConsumer,
  partitions: readonly TopicPartition[],
  { startFrom, groupId }: StartOptions,
): Promise<Map<string, bigint>> {
  if (partitions.length === 0) return new Map();
  if (startFrom !== 'committed') return consumer.listOffsets(partitions, startFrom);
  const committed = await consumer.committedOffsets(groupId, partitions);
  const without = partitions.filter((tp) => !committed.has(partitionKey(tp)));
  if (without.length > 0)
    for (const [key, offset] of await consumer.listOffsets(without, 'earliest')) committed.set(key, offset);
  return committed;
}
