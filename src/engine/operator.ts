import type { Clock } from '../common/time.ts';
import type { RuntimeContext } from '../plan/functions.ts';
import type { KeyedStateBackend } from '../state/backend.ts';
import type { KeyGroupRange } from '../state/key-groups.ts';
import type { SnapshotReader, SnapshotWriter } from '../state/snapshot-format.ts';
import type { Batch } from './batch.ts';

/** Where an operator sends results; downstream operators in the same task run synchronously inside emit. */
export interface Output<T> {
  emit(batch: Batch<T>): void;
  emitWatermark(time: number): void;
  /** Side output by tag id (OutputTag.id). */
  emitSide(tag: string, batch: Batch<unknown>): void;
}

export interface OperatorContext<OUT> {
  readonly output: Output<OUT>;
  readonly runtime: RuntimeContext;
  readonly clock: Clock;
  /** The last watermark this operator received (MIN_TIMESTAMP before the first). */
  currentWatermark(): number;
  /** Asks the task to call onProcessingTime once the clock reaches `time` (timers, periodic work). */
  requestProcessingTime(time: number): void;
  /** Keyed operators only: state of the key groups this subtask owns. */
  readonly keyedState?: KeyedStateBackend;
  readonly keyGroups?: KeyGroupRange;
  readonly maxParallelism: number;
}

/**
 * One operator of a running job. Only processBatch is required; the task never calls two methods of
 * one operator concurrently. `port` is the input number of two-input operators (0 otherwise).
 * A returned promise makes the task wait (sinks use it for backpressure); synchronous operators
 * return nothing so a batch costs no promise.
 */
export interface Operator<IN, OUT> {
  open?(ctx: OperatorContext<OUT>): void | Promise<void>;
  processBatch(batch: Batch<IN>, port: number): void | Promise<void>;
  /** Default: forward the watermark. Operators with event-time timers fire them first, then forward. */
  onWatermark?(time: number): void;
  /**
   * The task's output became idle (true: its input has nothing for a while, so it holds back no
   * watermark) or active again (false, before the data and watermark that end it). Only sinks that
   * carry time on need it (the repartition sink of a scaled-out job).
   */
  onIdle?(idle: boolean): void;
  /** Called when the clock has reached a time asked for with requestProcessingTime. */
  onProcessingTime?(now: number): void;
  /** All inputs ended (after the final watermark); flush what is buffered. */
  endInput?(): void | Promise<void>;
  /**
   * The checkpoint barrier reached this operator on every input. Write state the operator keeps outside
   * the keyed backend (timers, window buckets, buffers) — the runtime snapshots ctx.keyedState itself.
   * Runs synchronously at the barrier; a returned promise is awaited before the checkpoint completes.
   */
  snapshotState?(checkpointId: number, writer: SnapshotWriter): void | Promise<void>;
  /** Before open(): state of a restored checkpoint or savepoint. ctx.keyedState is restored by the runtime. */
  restoreState?(reader: SnapshotReader): void | Promise<void>;
  /** Every operator of the job has its state of this checkpoint durably stored. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}
