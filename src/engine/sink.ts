import type { CheckpointingConfig } from '../plan/nodes.ts';
import type { Batch } from './batch.ts';
import type { SplitPosition } from './source.ts';

/** What a connector may know of the job's checkpointing (the engine passes the job's config). */
export type CheckpointingContext = Pick<CheckpointingConfig, 'interval' | 'timeout' | 'mode'>;

export interface SinkContext {
  readonly jobName: string;
  readonly jobId: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly bootstrap?: string;
  /** The job's checkpointing; absent when the job does not checkpoint (exactly-once sinks refuse to run). */
  readonly checkpointing?: CheckpointingContext;
  /**
   * Which of the job's processes (or worker threads: anything with its own module instances) runs this
   * subtask, the same after a restart with the same layout; 0 when there is one. Kafka's exactly-once
   * sink names its transactional producer `${jobId}-${processIndex}`.
   */
  readonly processIndex?: number;
}

/** A running sink subtask. write() may return a promise; the task awaits it, which is backpressure. */
export interface SinkWriter<T> {
  open(ctx: SinkContext): Promise<void>;
  write(batch: Batch<T>): void | Promise<void>;
  /**
   * The event-time watermark reached the sink, after every batch written before it (only sinks that
   * carry time on, like the repartition sink between the stages of a scaled-out job, need it).
   */
  watermark?(time: number): void | Promise<void>;
  /** The task's input went idle (true) or active again (false); in order with writes, like watermark(). */
  idle?(idle: boolean): void | Promise<void>;
  /** Makes everything written so far durable/visible (end of input; checkpoints later). */
  flush(): Promise<void>;
  /**
   * Two-phase commit, phase one, at the checkpoint barrier: everything written so far belongs to
   * checkpoint `checkpointId` and must be made ready to commit (flushed into the open transaction,
   * part file closed as pending). Returns what recovery needs to finish or discard it; it is stored in
   * the checkpoint.
   */
  prepareCommit?(checkpointId: number): Promise<unknown>;
  /**
   * Phase two: the checkpoint's state is durable; make its output visible. `positions` are the sources'
   * positions at the barrier, for sinks that commit input offsets with the output (Kafka transactions).
   * The checkpoint counts as complete only when every commit resolved.
   */
  commit?(checkpointId: number, positions: readonly SourcePositions[]): Promise<void>;
  /** On restore, before open(): what prepareCommit returned for the restored checkpoint (commit it again or discard). */
  recover?(prepared: readonly unknown[], checkpointId: number): void;
  close(): Promise<void>;
}

/** The positions one source node had at a checkpoint barrier, over all its subtasks. */
export interface SourcePositions {
  readonly sourceName: string;
  readonly positions: readonly SplitPosition[];
}
