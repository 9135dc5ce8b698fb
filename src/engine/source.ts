import type { Logger } from '../common/logging.ts';
import type { Clock } from '../common/time.ts';
import type { CheckpointingContext } from './sink.ts';

/** A record a source could not turn into an element; the job's bad-record policy decides its fate. */
export interface RawBadRecord {
  readonly error: string;
  readonly value: Uint8Array | null;
  readonly key: Uint8Array | null;
  /** Where it came from, e.g. { topic, partition, offset }. */
  readonly origin: Readonly<Record<string, unknown>>;
  /** The source's own timestamp (Kafka's), or NaN. */
  readonly timestamp: number;
}

/** A split's position, e.g. { split: 'clicks-0', position: { topic: 'clicks', partition: 0, offset: 42 } }. */
export interface SplitPosition {
  readonly split: string;
  readonly position: unknown;
}

/**
 * Records of one split (a Kafka partition, a file, a socket). A chunk with no values announces a split
 * (it then takes part in the watermark minimum); `ended` says the split will send no more.
 */
export interface SourceChunk<T> {
  readonly split: string;
  readonly values: T[];
  /** The source's own timestamps (Kafka's record timestamp), NaN where there is none. */
  readonly timestamps: number[];
  readonly bad?: readonly RawBadRecord[];
  readonly ended?: boolean;
}

export interface SourceContext {
  readonly jobName: string;
  readonly jobId: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly clock: Clock;
  /** Largest number of values a chunk should carry. */
  readonly batchSize: number;
  /** Kafka bootstrap for connectors that did not name one (from `eddy run --bootstrap`). */
  readonly bootstrap?: string;
  readonly signal: AbortSignal;
  /** The job's checkpointing; absent when the job does not checkpoint (Kafka then commits offsets itself). */
  readonly checkpointing?: CheckpointingContext;
  /** The job's logger, for problems a source rides out (e.g. a failed partition discovery); may be absent. */
  readonly logger?: Logger;
}

/**
 * A running source subtask. poll() resolves with the chunks available now, waiting at most about
 * `maxWaitMs` when there are none (so watermarks and idleness keep moving), or null when the source
 * is bounded and finished.
 */
export interface SourceReader<T> {
  /**
   * Before open(), when the job restores: positions from snapshotPositions() of every subtask of the
   * previous run (a union: pick the splits this subtask now owns).
   */
  restorePositions?(positions: readonly SplitPosition[]): void;
  open(ctx: SourceContext): Promise<void>;
  /**
   * Where each split of this subtask stands after the records returned so far (called at a checkpoint
   * barrier, between polls). A source without it cannot rewind: it restarts from its beginning.
   */
  snapshotPositions?(): SplitPosition[];
  poll(maxWaitMs: number): Promise<SourceChunk<T>[] | null>;
  /**
   * For sources whose input carries event time itself (a repartition topic carries its writers'
   * watermarks): the watermark of everything returned by poll() so far, and whether the input is idle.
   * Read every watermark interval when the source node has no watermark strategy.
   */
  currentWatermark?(): { readonly watermark: number | undefined; readonly idle: boolean };
  close(): Promise<void>;
}
