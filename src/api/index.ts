// The DataStream API: what job files use to build a JobPlan.

// What users need from the plan: side output tags, function and state interfaces, descriptors.
export type {
  BadRecordPolicy,
  DeadLetter,
  SinkDescriptor,
  SourceDescriptor,
} from '../plan/connectors.ts';
export type {
  Collector,
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  KeyedCoProcessFunction,
  KeyedProcessContext,
  KeyedProcessFunction,
  KeyedRuntimeContext,
  KeySelector,
  MapFunction,
  OnTimerContext,
  ProcessContext,
  ProcessFunction,
  ProcessWindowFunction,
  ReduceFunction,
  RuntimeContext,
  TimerService,
  WindowContext,
} from '../plan/functions.ts';
export type {
  CheckpointingConfig,
  JobConfig,
  JobPlan,
  Partitioning,
  PlanNode,
  RestartStrategyConfig,
} from '../plan/nodes.ts';
export { type OutputTag, outputTag } from '../plan/output-tag.ts';
export type {
  AggregateFunction,
  AggregatingState,
  AggregatingStateDescriptor,
  KeyedStateStore,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  StateTtlConfig,
  ValueState,
  ValueStateDescriptor,
} from '../plan/state.ts';
export type { TimestampAssigner, WatermarkGenerator, WatermarkStrategySpec } from '../plan/watermarks.ts';
export type {
  Evictor,
  EvictorSpec,
  TimestampedValue,
  TimeWindow,
  Trigger,
  TriggerContext,
  TriggerResult,
  TriggerSpec,
  WindowAssignerSpec,
  WindowTime,
} from '../plan/windows.ts';
export { AllWindowedStream } from './all-windowed-stream.ts';
export { CountEvictor, customEvictor, type EvictorOptions, TimeEvictor } from './builders/evictors.ts';
export { RestartStrategies } from './builders/restart-strategies.ts';
export {
  aggregatingState,
  listState,
  mapState,
  reducingState,
  type StateOptions,
  type TtlOptions,
  ttl,
  type ValueStateOptions,
  valueState,
} from './builders/state-descriptors.ts';
export { Time } from './builders/time.ts';
export {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountTrigger,
  customTrigger,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  PurgingTrigger,
} from './builders/triggers.ts';
export { WatermarkStrategy } from './builders/watermark-strategy.ts';
export {
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type WindowAssigner,
} from './builders/window-assigners.ts';
export { ConnectedKeyedStreams, ConnectedStreams } from './connected-streams.ts';
export { DataStream } from './data-stream.ts';
export { DataStreamSink } from './data-stream-sink.ts';
export { createEnvironment, type EnvironmentOptions, StreamEnvironment } from './environment.ts';
export type {
  AllWindowCount,
  CoProcessFunctionArg,
  NumericField,
  ProcessAllWindowFunction,
  ProcessFunctionArg,
  WindowCount,
} from './function-types.ts';
export { defineJob, type JobArgs, type JobDefinition } from './job.ts';
export { KeyedStream } from './keyed-stream.ts';
export type { SourceOptions } from './ops/connectors.ts';
export type { CheckpointingOptions } from './ops/fault-tolerance.ts';
export { WindowedStream } from './windowed-stream.ts';
