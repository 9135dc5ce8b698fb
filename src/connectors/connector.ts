import type { z } from 'zod';
import type { CommittedCheckpointContext } from '../engine/connector-resolver.ts';
import type { SinkWriter } from '../engine/sink.ts';
import type { SourceReader } from '../engine/source.ts';

/**
 * One side (source or sink) of a connector: the schema its config must match, and how a valid config
 * becomes a running reader or writer. The registry validates before it calls `create`.
 */
export interface ConnectorSide<Made> {
  readonly schema: z.ZodType;
  /** Called with the schema's parse result only. */
  create(config: unknown): Made;
  /** Sources whose external system records committed checkpoints (Kafka); see ConnectorResolver. */
  committedCheckpoint?(config: unknown, ctx: CommittedCheckpointContext): Promise<number | undefined>;
}

/** A connector as listed in src/connectors/registry.ts. */
export interface Connector {
  readonly id: string;
  readonly source?: ConnectorSide<SourceReader<unknown>>;
  readonly sink?: ConnectorSide<SinkWriter<unknown>>;
}

/**
 * Pairs a config schema with the reader factory that relies on it, keeping the factory's argument typed.
 *
 * @example
 * const source = sourceSide(z.strictObject({ elements: z.array(z.unknown()) }), (c) => new ElementsReader(c));
 */
export function sourceSide<S extends z.ZodType>(
  schema: S,
  create: (config: z.output<S>) => SourceReader<unknown>,
  committedCheckpoint?: (config: z.output<S>, ctx: CommittedCheckpointContext) => Promise<number | undefined>,
): ConnectorSide<SourceReader<unknown>> {
  return {
    schema,
    create: (config) => create(config as z.output<S>),
    ...(committedCheckpoint === undefined
      ? {}
      : { committedCheckpoint: (config, ctx) => committedCheckpoint(config as z.output<S>, ctx) }),
  };
}

/** The sink counterpart of {@link sourceSide}. */
export function sinkSide<S extends z.ZodType>(
  schema: S,
  create: (config: z.output<S>) => SinkWriter<unknown>,
): ConnectorSide<SinkWriter<unknown>> {
  return { schema, create: (config) => create(config as z.output<S>) };
}
