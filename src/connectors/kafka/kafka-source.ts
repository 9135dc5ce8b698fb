import { z } from 'zod';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { sourceSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { fn, nonEmpty } from '../shared/schemas.ts';
import type { KafkaSourceFormat } from './kafka-formats.ts';
import { kafkaCommittedCheckpoint } from './kafka-positions.ts';
import { KafkaSourceReader } from './kafka-reader.ts';

export const kafkaSourceConfig = z.strictObject({
  topics: z.array(nonEmpty).min(1, { error: 'must name at least one topic' }),
  bootstrap: nonEmpty.optional(),
  groupId: nonEmpty.optional(),
  startFrom: z.union(
    [z.enum(['earliest', 'latest', 'committed']), z.strictObject({ timestamp: z.number().nonnegative() })],
    { error: 'must be "earliest", "latest", "committed" or { timestamp: <milliseconds since the epoch> }' },
  ),
  format: z.union(
    [
      z.enum(['json', 'string', 'bytes']),
      z.strictObject({
        deserialize: fn<
          (value: Uint8Array | null, key: Uint8Array | null, headers: Record<string, string>) => unknown
        >('(value, key, headers) => element'),
      }),
    ],
    { error: 'must be "json", "string", "bytes" or { deserialize(value, key, headers) }' },
  ),
  commitOffsets: z.boolean().optional(),
  stopAtEnd: z.boolean().optional(),
  partitionDiscoveryInterval: z
    .number({ error: 'must be a number of milliseconds (0 turns discovery off)' })
    .int({ error: 'must be a whole number of milliseconds' })
    .nonnegative({ error: 'must be 0 (off) or more milliseconds' })
    .optional(),
});

export type KafkaSourceConfig = z.output<typeof kafkaSourceConfig>;

export interface KafkaSourceOptions<T> {
  readonly topics: readonly string[];
  /** `host:port[,host:port]`; defaults to the job's cluster (`eddy run --bootstrap`). */
  readonly bootstrap?: string;
  /** The consumer group offsets are committed to; defaults to `eddy-<jobId>`. */
  readonly groupId?: string;
  /** Where to begin; `committed` resumes from the group's offsets (earliest where it has none). */
  readonly startFrom: 'earliest' | 'latest' | 'committed' | { readonly timestamp: number };
  readonly format: KafkaSourceFormat<T>;
  /**
   * Commit read positions to the group every 5 s and at close. Default: true without checkpointing;
   * false with it (positions live in checkpoints, and exactly-once Kafka sinks commit them to the group
   * in their transactions: do not turn it on then).
   */
  readonly commitOffsets?: boolean;
  /** End when every partition reaches the end offset it had at open (bounded; for tests and backfills). */
  readonly stopAtEnd?: boolean;
  /**
   * How often (ms of job-clock time) to look for partitions added to the topics; they are read from
   * their earliest offset, whatever `startFrom` says. Default 10 s; 0 turns it off. Bounded (`stopAtEnd`)
   * sources never look.
   */
  readonly partitionDiscoveryInterval?: number;
}

export const kafkaSourceSide = sourceSide(
  kafkaSourceConfig,
  (config) => new KafkaSourceReader(config),
  kafkaCommittedCheckpoint,
);

/**
 * Reads Kafka topics. Each topic's partitions go round the subtasks from one picked by the topic name
 * (see partitionOwner), so partitions added while the job runs (found every partitionDiscoveryInterval)
 * never move existing ones. Each partition is a split whose elements carry the Kafka record timestamp.
 *
 * @example
 * env.fromSource(kafkaSource<Click>({ topics: ['clicks'], startFrom: 'earliest', format: 'json' }));
 */
export function kafkaSource<T>(options: KafkaSourceOptions<T>): SourceDescriptor<T> {
  const config = { ...options };
  parseConfig('kafka source', kafkaSourceConfig, config);
  return { connector: 'kafka', config, bounded: options.stopAtEnd === true };
}
