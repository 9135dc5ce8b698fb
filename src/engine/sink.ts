import type { Batch } from './batch.ts';
import type { SplitPosition } from './source.ts';

export interface SinkContext {
  readonly jobName: string;
  readonly jobId: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly bootstrap?: string;
}

/** A running sink subtask. write() may return a promise; the task awaits it, which is backpressure. */
export interface SinkWriter<T> {
  open(ctx: SinkContext): Promise<void>;
  write(batch: Batch<T>): void | Promise<void>;
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
