import type { CommittedCheckpointContext } from '../../engine/connector-resolver.ts';
import type { SourcePositions } from '../../engine/sink.ts';
import type { SplitPosition } from '../../engine/source.ts';
import { withAdmin } from '../../kafka/admin.ts';
import { bootstrapBrokers } from '../../kafka/client-options.ts';
import { committedOffsets } from '../../kafka/group-offsets.ts';
import { partitionKey, type TopicPartition } from '../../kafka/partition-consumer.ts';
import type { OffsetWithMetadata } from '../../kafka/transaction-offsets.ts';
import { kafkaFailure, missingBootstrap } from './kafka-errors.ts';
import type { KafkaSourceConfig } from './kafka-source.ts';

/**
 * Where a Kafka source stands in one partition (the `position` of its SplitPosition): the next offset
 * to read, and the group and cluster an exactly-once sink commits that offset to.
 */
export interface KafkaPosition extends TopicPartition {
  readonly kind: 'kafka';
  /** The next offset to read (a number: checkpoints store plain data; offsets stay below 2^53). */
  readonly offset: number;
  readonly groupId: string;
  readonly bootstrap: string;
}

/** Group offsets written by exactly-once sinks carry this metadata, naming the checkpoint. */
const METADATA_PREFIX = 'eddy-checkpoint:';

/** `eddy-checkpoint:7` for checkpoint 7. */
export function checkpointMetadata(checkpointId: number): string {
  return `${METADATA_PREFIX}${checkpointId}`;
}

/** The checkpoint named by an offset's metadata, or undefined when eddy did not write it. */
export function parseCheckpointMetadata(metadata: string | null): number | undefined {
  if (metadata === null || !metadata.startsWith(METADATA_PREFIX)) return undefined;
  const text = metadata.slice(METADATA_PREFIX.length);
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

export function isKafkaPosition(value: unknown): value is KafkaPosition {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    p.kind === 'kafka' &&
    typeof p.topic === 'string' &&
    typeof p.partition === 'number' &&
    typeof p.offset === 'number' &&
    typeof p.groupId === 'string' &&
    typeof p.bootstrap === 'string'
  );
}

export function kafkaSplitPosition(
  tp: TopicPartition,
  offset: bigint,
  groupId: string,
  bootstrap: string,
): SplitPosition {
  const position: KafkaPosition = {
    kind: 'kafka',
    topic: tp.topic,
    partition: tp.partition,
    offset: Number(offset),
    groupId,
    bootstrap,
  };
  return { split: partitionKey(tp), position };
}

/** Restored positions of the given topics, by split (`topic-partition`); other sources' positions are ignored. */
export function restoredOffsets(
  positions: readonly SplitPosition[],
  topics: readonly string[],
): Map<string, bigint> {
  const offsets = new Map<string, bigint>();
  for (const { position } of positions) {
    if (isKafkaPosition(position) && topics.includes(position.topic))
      offsets.set(partitionKey(position), BigInt(position.offset));
  }
  return offsets;
}

/** Two bootstrap strings name the same cluster when they list the same brokers (in any order). */
export function sameCluster(a: string, b: string): boolean {
  const norm = (s: string) => bootstrapBrokers(s).sort().join(',');
  return norm(a) === norm(b);
}

/**
 * The offsets a transaction commits for checkpoint `checkpointId`, by consumer group: every Kafka
 * position of every source on the cluster `bootstrap` (positions on other clusters cannot join it).
 */
export function offsetsByGroup(
  sources: readonly SourcePositions[],
  bootstrap: string,
  checkpointId: number,
): Map<string, OffsetWithMetadata[]> {
  const metadata = checkpointMetadata(checkpointId);
  const byGroup = new Map<string, OffsetWithMetadata[]>();
  for (const source of sources) {
    for (const { position } of source.positions) {
      if (!isKafkaPosition(position) || !sameCluster(position.bootstrap, bootstrap)) continue;
      const list = byGroup.get(position.groupId) ?? [];
      byGroup.set(position.groupId, list);
      list.push({
        topic: position.topic,
        partition: position.partition,
        offset: BigInt(position.offset),
        metadata,
      });
    }
  }
  return byGroup;
}

/**
 * The last checkpoint an exactly-once Kafka sink committed together with this source's offsets: the
 * smallest `eddy-checkpoint:N` among the group's committed offsets for the source's topics (they agree
 * when one transaction commits a checkpoint), or undefined when none carries one.
 *
 * @example
 * const n = await kafkaCommittedCheckpoint(config, { jobId: 'job-1', bootstrap: '127.0.0.1:9092' });
 */
export async function kafkaCommittedCheckpoint(
  config: KafkaSourceConfig,
  ctx: CommittedCheckpointContext,
): Promise<number | undefined> {
  const bootstrap = config.bootstrap ?? ctx.bootstrap;
  if (bootstrap === undefined) throw missingBootstrap('kafka source');
  const groupId = config.groupId ?? `eddy-${ctx.jobId}`;
  try {
    const offsets = await withAdmin({ bootstrap, clientId: 'eddy-checkpoint-lookup' }, (admin) =>
      committedOffsets(admin, groupId, config.topics),
    );
    const checkpoints = offsets
      .map((o) => parseCheckpointMetadata(o.metadata))
      .filter((n) => n !== undefined);
    return checkpoints.length === 0 ? undefined : Math.min(...checkpoints);
  } catch (error) {
    throw kafkaFailure(
      'kafka source',
      bootstrap,
      `read the committed offsets of group "${groupId}"`,
      error,
      'CON_KAFKA_READ_FAILED',
    );
  }
}
