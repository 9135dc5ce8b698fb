import { z } from 'zod';
import type { Batch } from '../../engine/batch.ts';
import type { SinkContext, SinkWriter } from '../../engine/sink.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { type Connector, sinkSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { fn } from '../shared/schemas.ts';

/** A sink written as functions (Flink's SinkFunction). Each is called by one subtask at a time. */
export interface FunctionSinkOptions<T> {
  /** Called once per subtask before the first batch. */
  open?(ctx: SinkContext): void | Promise<void>;
  /** Gets each batch; a returned promise is awaited before the next one, which slows the job down to it. */
  write(values: readonly T[], timestamps: readonly number[]): void | Promise<void>;
  /** Called at the end of input; make what was written durable. */
  flush?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

export const functionSinkConfig = z.strictObject({
  write: fn<FunctionSinkOptions<unknown>['write']>('write(values, timestamps)'),
  open: fn<NonNullable<FunctionSinkOptions<unknown>['open']>>('open(ctx)').optional(),
  flush: fn<NonNullable<FunctionSinkOptions<unknown>['flush']>>('flush()').optional(),
  close: fn<NonNullable<FunctionSinkOptions<unknown>['close']>>('close()').optional(),
});

class FunctionWriter implements SinkWriter<unknown> {
  private readonly options: z.output<typeof functionSinkConfig>;

  constructor(options: z.output<typeof functionSinkConfig>) {
    this.options = options;
  }

  async open(ctx: SinkContext): Promise<void> {
    await this.options.open?.(ctx);
  }

  write(batch: Batch<unknown>): void | Promise<void> {
    return this.options.write(batch.values, batch.timestamps);
  }

  async flush(): Promise<void> {
    await this.options.flush?.();
  }

  async close(): Promise<void> {
    await this.options.close?.();
  }
}

export const functionConnector: Connector = {
  id: 'function',
  sink: sinkSide(functionSinkConfig, (config) => new FunctionWriter(config)),
};

/**
 * A custom sink from plain functions. The functions run in the job's thread, so, like `collect`, it
 * is for jobs that run in one process.
 *
 * @example
 * stream.sinkTo(functionSink<Alert>({ write: async (alerts) => { await notify(alerts) } }));
 */
export function functionSink<T>(options: FunctionSinkOptions<T>): SinkDescriptor<T> {
  const config = { ...options };
  parseConfig('function sink', functionSinkConfig, config);
  return { connector: 'function', config };
}
