import type {
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  KeySelector,
  ProcessFunction,
  ProcessWindowFunction,
  ReduceFunction,
} from '../../plan/functions.ts';
import type { InputEdge, PlanNodeOf } from '../../plan/nodes.ts';
import type { OutputTag } from '../../plan/output-tag.ts';
import type { AggregateFunction } from '../../plan/state.ts';
import type { EvictorSpec, TriggerSpec, WindowAssignerSpec } from '../../plan/windows.ts';
import { neverTrigger } from '../operators/window/triggers.ts';

/**
 * A window operator described as the DataStream API would build it. Without `key` it is a windowAll.
 * The trigger defaults to the assigner's own: event-time, processing-time, and for global windows one
 * that never fires.
 */
export interface WindowHarnessSpec<T, K = unknown, OUT = unknown> {
  readonly key?: KeySelector<T, K>;
  // NoInfer: the API's assigners, triggers and evictors are typed for any element (unknown).
  readonly assigner: WindowAssignerSpec<NoInfer<T>>;
  readonly trigger?: TriggerSpec<NoInfer<T>>;
  readonly evictor?: EvictorSpec<NoInfer<T>>;
  readonly allowedLateness?: number;
  readonly lateOutput?: OutputTag<T>;
  readonly reduce?: ReduceFunction<T>;
  // biome-ignore lint/suspicious/noExplicitAny: the accumulator type is the user's business here
  readonly aggregate?: AggregateFunction<T, any, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: elements are T or the pre-aggregated result
  readonly process?: ProcessWindowFunction<any, OUT, K>;
  readonly name?: string;
}

const keyedEdge = (key: KeySelector<never, unknown>, port: 0 | 1): InputEdge => ({
  from: 0,
  partitioning: { kind: 'keyed', key: key as KeySelector<unknown, unknown> },
  port,
});

export function keyedProcessNode<K, IN, OUT>(
  fn: KeyedProcessFunction<K, IN, OUT>,
  key: KeySelector<IN, K>,
  name = 'keyed-process',
): PlanNodeOf<'keyed-process'> {
  return {
    kind: 'keyed-process',
    id: 1,
    name,
    inputs: [keyedEdge(key, 0)],
    fn: fn as unknown as KeyedProcessFunction<unknown, unknown, unknown>,
  };
}

export function keyedCoProcessNode<K, IN1, IN2, OUT>(
  fn: KeyedCoProcessFunction<K, IN1, IN2, OUT>,
  key1: KeySelector<IN1, K>,
  key2: KeySelector<IN2, K>,
  name = 'keyed-co-process',
): PlanNodeOf<'keyed-co-process'> {
  return {
    kind: 'keyed-co-process',
    id: 1,
    name,
    inputs: [keyedEdge(key1, 0), keyedEdge(key2, 1)],
    fn: fn as unknown as KeyedCoProcessFunction<unknown, unknown, unknown, unknown>,
  };
}

export function processNode<IN, OUT>(fn: ProcessFunction<IN, OUT>, name = 'process'): PlanNodeOf<'process'> {
  return {
    kind: 'process',
    id: 1,
    name,
    inputs: [{ from: 0, partitioning: { kind: 'forward' }, port: 0 }],
    fn: fn as unknown as ProcessFunction<unknown, unknown>,
  };
}

export function windowNode<T, K, OUT>(spec: WindowHarnessSpec<T, K, OUT>): PlanNodeOf<'window'> {
  const { assigner } = spec;
  const trigger: TriggerSpec<T> = spec.trigger ?? defaultTrigger(assigner);
  const edge: InputEdge = spec.key
    ? keyedEdge(spec.key, 0)
    : { from: 0, partitioning: { kind: 'global' }, port: 0 };
  return {
    kind: 'window',
    id: 1,
    name: spec.name ?? 'window',
    inputs: [edge],
    keyed: spec.key !== undefined,
    assigner: assigner as WindowAssignerSpec<unknown>,
    trigger: trigger as TriggerSpec<unknown>,
    evictor: spec.evictor as EvictorSpec<unknown> | undefined,
    allowedLateness: spec.allowedLateness ?? 0,
    lateOutput: spec.lateOutput?.id,
    reduce: spec.reduce as ReduceFunction<unknown> | undefined,
    aggregate: spec.aggregate as AggregateFunction<unknown, unknown, unknown> | undefined,
    process: spec.process as ProcessWindowFunction<unknown, unknown, unknown> | undefined,
  };
}

function defaultTrigger<T>(assigner: WindowAssignerSpec<T>): TriggerSpec<T> {
  if (assigner.kind === 'global') return { kind: 'custom', trigger: neverTrigger };
  return assigner.time === 'processing' ? { kind: 'processing-time' } : { kind: 'event-time' };
}
