/**
 * The stream-processing runtime: run a JobPlan with `executeJob`, and the contracts operators and
 * connectors implement.
 *
 * @example
 * import { executeJob } from './engine/index.ts';
 * const { status } = await executeJob(plan, { connectors }).done;
 */
export { type Batch, batchOf, EMPTY_BATCH } from './batch.ts';
export type { CheckpointManifest, OperatorEntry, SubtaskEntry } from './checkpoint/manifest.ts';
export {
  checkpointDir,
  jobStateDir,
  listCheckpoints,
  readManifest,
  type StoredCheckpoint,
} from './checkpoint/storage.ts';
export type { CommittedCheckpointContext, ConnectorResolver } from './connector-resolver.ts';
export {
  type CheckpointMetrics,
  type ExecuteOptions,
  executeJob,
  type JobExecution,
  type JobMetrics,
  type JobResult,
  type OperatorMetrics,
  type RestoredCheckpoint,
} from './execute.ts';
export {
  buildPhysicalGraph,
  type ExchangeMode,
  type PhysicalExchange,
  type PhysicalGraph,
  type PhysicalTask,
} from './graph/physical-graph.ts';
export type { ChannelMessage } from './messages.ts';
export type { Operator, OperatorContext, Output } from './operator.ts';
export { defaultOperatorServices, type OperatorServices } from './operator-services.ts';
export { createOperator, isKeyedKind } from './operators/registry.ts';
export type { SinkContext, SinkWriter, SourcePositions } from './sink.ts';
export type { RawBadRecord, SourceChunk, SourceContext, SourceReader, SplitPosition } from './source.ts';
export { describeElement, userFunctionFailed, userHookFailed } from './user-function-error.ts';
export { BoundedOutOfOrderness, createWatermarkGenerator } from './watermarks/generators.ts';
