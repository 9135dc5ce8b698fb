import type { PlanNodeOf } from '../plan/nodes.ts';
import type { Batch } from './batch.ts';
import type { ConnectorResolver } from './connector-resolver.ts';
import type { Operator, OperatorContext } from './operator.ts';
import { SerialWriter } from './serial-writer.ts';
import type { SinkWriter } from './sink.ts';

export interface SinkOperatorOptions {
  readonly connectors: ConnectorResolver;
  readonly jobId: string;
  readonly bootstrap?: string;
}

/**
 * A sink node as an operator: creates and opens the connector's writer, writes each batch (the task
 * awaits a returned promise, which is how a slow sink slows its sources), flushes at end of input.
 *
 * @example
 * const sink = createSinkOperator(node, { connectors, jobId: 'clicks-1' });
 */
export function createSinkOperator(
  node: PlanNodeOf<'sink'>,
  options: SinkOperatorOptions,
): Operator<unknown, never> {
  let writer: SinkWriter<unknown> | undefined;
  let serial: SerialWriter | undefined;
  return {
    async open(ctx: OperatorContext<never>): Promise<void> {
      writer = options.connectors.createSink(node.sink);
      serial = new SerialWriter(writer);
      await writer.open({
        jobName: ctx.runtime.jobName,
        jobId: options.jobId,
        operatorName: node.name,
        subtaskIndex: ctx.runtime.subtaskIndex,
        parallelism: ctx.runtime.parallelism,
        bootstrap: options.bootstrap,
      });
    },
    processBatch(batch: Batch<unknown>): Promise<void> | undefined {
      return serial!.write(batch);
    },
    onWatermark(): void {},
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
