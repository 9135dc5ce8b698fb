import type { Clock } from '../common/time.ts';
import type { BadRecordPolicy, SinkDescriptor, SourceDescriptor } from './connectors.ts';
import type {
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  ProcessFunction,
  ProcessWindowFunction,
  ReduceFunction,
} from './functions.ts';
import type { AggregateFunction } from './state.ts';
import type { WatermarkStrategySpec } from './watermarks.ts';
import type { EvictorSpec, TriggerSpec, WindowAssignerSpec } from './windows.ts';

/**
 * The logical plan: a closed union of node kinds joined by edges. It is plain data except for the user
 * functions it references; a worker rebuilds it by evaluating the job module again, so node ids are
 * assigned in construction order and are the same in every process. The element types live in the API;
 * here values are `unknown`.
 */
export type NodeId = number;

export type Partitioning =
  /**
   * Same subtask index upstream and downstream; allows chaining. With `key`, the records are already
   * partitioned by that key (each subtask holds exactly its key groups, as after a repartition topic),
   * so a keyed operator may read them without an exchange (Flink's reinterpretAsKeyedStream).
   */
  | { readonly kind: 'forward'; readonly key?: KeySelector<unknown, unknown> }
  /** Round-robin over downstream subtasks. */
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'broadcast' }
  /** By key group: keyGroup = hash(key) mod maxParallelism. */
  | { readonly kind: 'keyed'; readonly key: KeySelector<unknown, unknown> }
  /** Everything to subtask 0 (windowAll, global operations). */
  | { readonly kind: 'global' };

export interface InputEdge {
  readonly from: NodeId;
  readonly partitioning: Partitioning;
  /** Reads a side output of `from` instead of its main output. */
  readonly sideOutput?: string;
  /** Which input of a two-input node (connect/co-process): 0 or 1. Unions use 0 for every edge. */
  readonly port: 0 | 1;
}

interface NodeBase {
  readonly id: NodeId;
  /** Shown in errors, metrics and the dashboard. */
  readonly name: string;
  /** Stable id that matches state in savepoints; defaults to one derived from the position. */
  readonly uid?: string;
  /** Overrides the job's parallelism for this operator. */
  readonly parallelism?: number;
  readonly inputs: readonly InputEdge[];
}

export type PlanNode =
  | (NodeBase & {
      readonly kind: 'source';
      readonly source: SourceDescriptor<unknown>;
      readonly watermarks: WatermarkStrategySpec<unknown>;
      readonly badRecords: BadRecordPolicy;
    })
  | (NodeBase & { readonly kind: 'map'; readonly fn: MapFunction<unknown, unknown> })
  | (NodeBase & { readonly kind: 'filter'; readonly fn: FilterFunction<unknown> })
  | (NodeBase & { readonly kind: 'flat-map'; readonly fn: FlatMapFunction<unknown, unknown> })
  | (NodeBase & {
      readonly kind: 'assign-watermarks';
      readonly watermarks: WatermarkStrategySpec<unknown>;
      readonly badRecords: BadRecordPolicy;
    })
  | (NodeBase & { readonly kind: 'process'; readonly fn: ProcessFunction<unknown, unknown> })
  | (NodeBase & {
      readonly kind: 'keyed-process';
      readonly fn: KeyedProcessFunction<unknown, unknown, unknown>;
    })
  /** Rolling reduce per key: emits the new reduced value for every element. */
  | (NodeBase & { readonly kind: 'keyed-reduce'; readonly fn: ReduceFunction<unknown> })
  /** Rolling aggregate per key: emits the current result for every element. */
  | (NodeBase & {
      readonly kind: 'keyed-aggregate';
      readonly fn: AggregateFunction<unknown, unknown, unknown>;
    })
  | (NodeBase & {
      readonly kind: 'window';
      /** False for windowAll (one global window operator, parallelism 1). */
      readonly keyed: boolean;
      readonly assigner: WindowAssignerSpec<unknown>;
      readonly trigger: TriggerSpec<unknown>;
      readonly evictor?: EvictorSpec<unknown>;
      readonly allowedLateness: number;
      /** Side output id for elements too late for every window they belong to. */
      readonly lateOutput?: string;
      /** At least one of reduce / aggregate / process; reduce or aggregate with process = incremental + process. */
      readonly reduce?: ReduceFunction<unknown>;
      readonly aggregate?: AggregateFunction<unknown, unknown, unknown>;
      readonly process?: ProcessWindowFunction<unknown, unknown, unknown>;
    })
  | (NodeBase & { readonly kind: 'union' })
  | (NodeBase & { readonly kind: 'co-process'; readonly fn: CoProcessFunction<unknown, unknown, unknown> })
  | (NodeBase & {
      readonly kind: 'keyed-co-process';
      readonly fn: KeyedCoProcessFunction<unknown, unknown, unknown, unknown>;
    })
  | (NodeBase & { readonly kind: 'sink'; readonly sink: SinkDescriptor<unknown> });

export type PlanNodeKind = PlanNode['kind'];

export interface JobConfig {
  readonly jobName: string;
  /** Default parallelism of every operator. */
  readonly parallelism: number;
  /** Number of key groups; the upper bound for any operator's parallelism. */
  readonly maxParallelism: number;
  /** How often (ms of processing time) sources emit watermarks. */
  readonly watermarkInterval: number;
  /** Processing time; a ManualClock makes processing-time logic deterministic in tests. */
  readonly clock?: Clock;
  /** Records per batch a source hands to the graph at most. */
  readonly batchSize: number;
  /** Batches a channel holds before its writer waits (backpressure). */
  readonly channelCapacity: number;
  /** Periodic checkpoints; absent = none (and then no restarts unless a restart strategy is set). */
  readonly checkpointing?: CheckpointingConfig;
  /** What to do when the job fails. Default: none without checkpointing, fixed-delay with it (as Flink). */
  readonly restartStrategy?: RestartStrategyConfig;
  /** Where keyed state lives: 'heap' (default) or lmdb on local disk, for state larger than memory. */
  readonly stateBackend?: StateBackendConfig;
}

/**
 * The keyed state backend of a job. lmdb keeps its working files in `dir` (default: the job's state
 * directory, else a temporary directory); snapshots of both backends have the same format.
 */
export type StateBackendConfig = 'heap' | { readonly kind: 'lmdb'; readonly dir?: string };

/** All durations in milliseconds. */
export interface CheckpointingConfig {
  /** Time from the start of one checkpoint to the start of the next. */
  readonly interval: number;
  /** Least time between the end of one checkpoint and the start of the next. */
  readonly minPause: number;
  /** A checkpoint not complete after this long is aborted. */
  readonly timeout: number;
  /** Completed checkpoints kept on disk; older ones are deleted. */
  readonly retained: number;
  /**
   * exactly-once aligns barriers (a channel that delivered the barrier waits for the others);
   * at-least-once does not wait, so records after an early barrier may be replayed after a restore.
   */
  readonly mode: 'exactly-once' | 'at-least-once';
}

/** Flink's restart strategies; durations in milliseconds. */
export type RestartStrategyConfig =
  | { readonly kind: 'none' }
  /** Up to `attempts` restarts in all, `delay` apart. */
  | { readonly kind: 'fixed-delay'; readonly attempts: number; readonly delay: number }
  /**
   * Delays initial, initial·multiplier, ... up to max, forever; back to `initial` once the job ran
   * `resetAfter` ms without failing.
   */
  | {
      readonly kind: 'exponential-backoff';
      readonly initial: number;
      readonly max: number;
      readonly multiplier: number;
      readonly resetAfter?: number;
    }
  /** Gives up when more than `maxFailures` failures happen within `interval`; waits `delay` before each restart. */
  | {
      readonly kind: 'failure-rate';
      readonly maxFailures: number;
      readonly interval: number;
      readonly delay: number;
    };

/** Checkpointing settings not given to enableCheckpointing (Flink's defaults). */
export const DEFAULT_CHECKPOINTING: Omit<CheckpointingConfig, 'interval'> = {
  minPause: 0,
  timeout: 600_000,
  retained: 1,
  mode: 'exactly-once',
};

/** The restart strategy when checkpointing is on and none is set (Flink: fixed delay, Integer.MAX_VALUE attempts, 1 s). */
export const DEFAULT_RESTART_WITH_CHECKPOINTING: RestartStrategyConfig = {
  kind: 'fixed-delay',
  attempts: 2_147_483_647,
  delay: 1_000,
};

export interface JobPlan {
  readonly config: JobConfig;
  /** In construction order: a node's inputs always come earlier in the list. */
  readonly nodes: readonly PlanNode[];
}

export const DEFAULT_JOB_CONFIG: Omit<JobConfig, 'jobName'> = {
  parallelism: 1,
  maxParallelism: 128,
  watermarkInterval: 200,
  batchSize: 1024,
  channelCapacity: 8,
};

/** The node type of one kind, e.g. `PlanNodeOf<'window'>`. */
export type PlanNodeOf<K extends PlanNodeKind> = Extract<PlanNode, { kind: K }>;
