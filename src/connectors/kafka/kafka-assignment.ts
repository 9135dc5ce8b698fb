import type { TopicPartition } from '../../kafka/partition-consumer.ts';

/**
 * 32-bit FNV-1a over the UTF-8 bytes of a topic name. Written out rather than taken from a library so
 * the assignment can never change under an upgrade: checkpoints and running subtasks rely on it.
 */
function topicHash(topic: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(topic)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The subtask (of `parallelism`) that reads a partition: each topic starts at a subtask picked by the
 * hash of its name and goes round from there, one partition per subtask. It depends on nothing but the
 * topic name and partition index, so partitions added later never move existing ones (numbering all
 * partitions of all topics in a row would shift every later topic's partitions).
 *
 * @example
 * partitionOwner({ topic: 'clicks', partition: 5 }, 2); // the same subtask however many partitions exist
 */
export function partitionOwner(tp: TopicPartition, parallelism: number): number {
  return ((topicHash(tp.topic) % parallelism) + tp.partition) % parallelism;
}

/**
 * The partitions a subtask owns among those `counts` lists, leaving out the first `known` partitions of
 * each topic (those it already had: pass the counts seen before to get only the added ones).
 *
 * @example
 * ownedPartitions(['a'], new Map([['a', 4]]), 1, 2, new Map([['a', 2]])); // one of a-2 and a-3
 */
export function ownedPartitions(
  topics: readonly string[],
  counts: ReadonlyMap<string, number>,
  subtaskIndex: number,
  parallelism: number,
  known: ReadonlyMap<string, number> = new Map(),
): TopicPartition[] {
  const owned: TopicPartition[] = [];
  for (const topic of topics) {
    const count = counts.get(topic) ?? 0;
    for (let partition = known.get(topic) ?? 0; partition < count; partition++) {
      if (partitionOwner({ topic, partition }, parallelism) === subtaskIndex)
        owned.push({ topic, partition });
    }
  }
  return owned;
}
