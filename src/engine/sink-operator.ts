import type { JobConfig, PlanNodeOf } from '../plan/nodes.ts';
import type { Batch } from './batch.ts';
import type { ConnectorResolver } from './connector-resolver.ts';
import type { Operator, OperatorContext } from './operator.ts';
import { SerialWriter } from './serial-writer.ts';
import type { CheckpointingContext, SinkWriter, SourcePositions } from './sink.ts';

export interface SinkOperatorOptions {
  readonly connectors: ConnectorResolver;
  readonly jobId: string;
  readonly bootstrap?: string;
  /** The job's checkpointing, for connectors that need it (exactly-once sinks). */
  readonly checkpointing?: CheckpointingContext;
}

/** `{ checkpointing }` for a SourceContext or SinkContext when the job checkpoints, else nothing. */
export function checkpointingContext(config: JobConfig): { checkpointing?: CheckpointingContext } {
  const c = config.checkpointing;
  return c === undefined ? {} : { checkpointing: { interval: c.interval, timeout: c.timeout, mode: c.mode } };
}

/** A sink operator plus the two-phase-commit calls the checkpoint runtime makes on its writer. */
export interface SinkOperator extends Operator<unknown, never> {
  /** Before open(): what the restored checkpoint's prepareCommit returned for this subtask. */
  setRecovery(prepared: readonly unknown[], checkpointId: number): void;
  /** At the barrier, after the writes before it; undefined when the writer has no two-phase commit. */
  prepareCommit(checkpointId: number): Promise<unknown> | undefined;
  /** Once the checkpoint is durable; does nothing when the writer has no commit or is closed. */
  commit(checkpointId: number, positions: readonly SourcePositions[]): Promise<void>;
}

/**
 * A sink node as an operator: creates and opens the connector's writer, writes each batch (the task
 * awaits a returned promise, which is how a slow sink slows its sources), flushes at end of input.
 * prepareCommit and commit go through the same serial queue as writes.
 *
 * @example
 * const sink = createSinkOperator(node, { connectors, jobId: 'clicks-1' });
 */
export function createSinkOperator(node: PlanNodeOf<'sink'>, options: SinkOperatorOptions): SinkOperator {
  let writer: SinkWriter<unknown> | undefined;
  let serial: SerialWriter | undefined;
  let recovery: { prepared: readonly unknown[]; checkpointId: number } | undefined;
  return {
    setRecovery(prepared, checkpointId) {
      recovery = { prepared, checkpointId };
    },
    async open(ctx: OperatorContext<never>): Promise<void> {
      writer = options.connectors.createSink(node.sink);
      serial = new SerialWriter(writer);
      if (recovery !== undefined) writer.recover?.(recovery.prepared, recovery.checkpointId);
      await writer.open({
        jobName: ctx.runtime.jobName,
        jobId: options.jobId,
        operatorName: node.name,
        subtaskIndex: ctx.runtime.subtaskIndex,
        parallelism: ctx.runtime.parallelism,
        bootstrap: options.bootstrap,
        // One process runs every subtask (worker threads and several processes come later).
        processIndex: 0,
        ...(options.checkpointing === undefined ? {} : { checkpointing: options.checkpointing }),
      });
    },
    processBatch(batch: Batch<unknown>): Promise<void> | undefined {
      return serial!.write(batch);
    },
    onWatermark(time: number): void {
      serial?.watermark(time);
    },
    onIdle(idle: boolean): void {
      serial?.idle(idle);
    },
    prepareCommit(checkpointId) {
      const open = writer;
      if (open?.prepareCommit === undefined) return undefined;
      return serial!.exclusive(() => open.prepareCommit!(checkpointId));
    },
    async commit(checkpointId, positions) {
      const open = writer;
      if (open?.commit === undefined) return;
      await serial!.exclusive(() => open.commit!(checkpointId, positions));
    },
    async endInput(): Promise<void> {
      await serial!.drain();
      await writer!.flush();
    },
    async close(): Promise<void> {
      const open = writer;
      writer = undefined;
      await open?.close();
    },
  };
}
