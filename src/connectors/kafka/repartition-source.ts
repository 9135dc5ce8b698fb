import { z } from 'zod';
import type { CommittedCheckpointContext } from '../../engine/connector-resolver.ts';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { sourceSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { nonEmpty, positiveInt } from '../shared/schemas.ts';
import { kafkaCommittedCheckpoint } from './kafka-positions.ts';
import type { KafkaSourceConfig } from './kafka-source.ts';
import { RepartitionReader } from './repartition-reader.ts';

export const repartitionSourceConfig = z.strictObject({
  topic: nonEmpty,
  tasks: positiveInt,
  bootstrap: nonEmpty.optional(),
  bounded: z.boolean({ error: 'must be true (end when every writer task has ended) or false' }),
});

export type RepartitionSourceConfig = z.output<typeof repartitionSourceConfig>;

export interface RepartitionSourceOptions {
  /** `<jobId>-repartition-<n>`, created beforehand with `tasks` partitions. */
  readonly topic: string;
  /** The job's task count T: the topic's partitions, its writer tasks, and this source's parallelism. */
  readonly tasks: number;
  /** `host:port[,host:port]`; defaults to the job's cluster. */
  readonly bootstrap?: string;
  /** End once every writer task has written its end marker (the upstream stage is bounded). */
  readonly bounded: boolean;
}

/**
 * The last checkpoint the reading task committed with its offsets: the Kafka source's rule (smallest
 * `eddy-checkpoint:N` of group `eddy-<jobId>`) applied to the one repartition topic.
 */
function repartitionCommittedCheckpoint(
  config: RepartitionSourceConfig,
  ctx: CommittedCheckpointContext,
): Promise<number | undefined> {
  const kafkaConfig: KafkaSourceConfig = {
    topics: [config.topic],
    startFrom: 'committed',
    format: 'bytes',
    ...(config.bootstrap === undefined ? {} : { bootstrap: config.bootstrap }),
  };
  return kafkaCommittedCheckpoint(kafkaConfig, ctx);
}

export const repartitionSourceSide = sourceSide(
  repartitionSourceConfig,
  (config) => new RepartitionReader(config),
  repartitionCommittedCheckpoint,
);

/**
 * The reading end of a repartition topic: task i of the downstream stage of a scaled-out job reads
 * partition i (read_committed), hands its elements on with their event times, and turns the writers'
 * control records into its watermark (docs/internals/scale-out.md §2, §5). Only splitAtKeyedEdges
 * (src/job/scale-out) builds it; its source node has watermark strategy 'none'.
 *
 * @example
 * const source = repartitionSource({ topic: 'clicks-repartition-0', tasks: 4, bounded: false });
 * // { connector: 'kafka-repartition', config: { topic, tasks: 4, bounded: false }, bounded: false }
 */
export function repartitionSource(options: RepartitionSourceOptions): SourceDescriptor<unknown> {
  const config = { ...options };
  parseConfig('repartition source', repartitionSourceConfig, config);
  return { connector: 'kafka-repartition', config, bounded: options.bounded };
}
