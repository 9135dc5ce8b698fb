import type { Batch } from './batch.ts';

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
  close(): Promise<void>;
}
