import type { SinkDescriptor, SourceDescriptor } from '../plan/connectors.ts';
import type { SinkWriter } from './sink.ts';
import type { SourceReader } from './source.ts';

/** Who asks a connector's external system about committed checkpoints (see committedCheckpoint). */
export interface CommittedCheckpointContext {
  readonly jobId: string;
  readonly bootstrap?: string;
  readonly jobName?: string;
  /** The source node's name. */
  readonly operatorName?: string;
}

/**
 * The engine knows connectors only through this; src/connectors/registry.ts implements it with the
 * explicit list of connectors. Unknown connector ids and invalid configs throw a StreamError (CON_).
 */
export interface ConnectorResolver {
  createSource(descriptor: SourceDescriptor<unknown>): SourceReader<unknown>;
  createSink(descriptor: SinkDescriptor<unknown>): SinkWriter<unknown>;
  /**
   * The last checkpoint whose output was committed together with this source's positions, when its
   * external system can tell (the Kafka exactly-once sink commits the Kafka source's offsets in its
   * transaction with the checkpoint id as metadata); undefined when it cannot. Restoring 'latest'
   * prefers that checkpoint, even one whose manifest is still 'pending' because the process died
   * between the commit and marking it completed.
   *
   * @example
   * const id = await connectors.committedCheckpoint?.(node.source, { jobId, operatorName: node.name });
   */
  committedCheckpoint?(
    descriptor: SourceDescriptor<unknown>,
    ctx: CommittedCheckpointContext,
  ): Promise<number | undefined>;
}
