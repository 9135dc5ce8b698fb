import type { Clock } from '../common/time.ts';
import type { SourceDescriptor } from '../plan/connectors.ts';
import {
  DEFAULT_JOB_CONFIG,
  type JobPlan,
  type RestartStrategyConfig,
  type StateBackendConfig,
} from '../plan/nodes.ts';
import type { WatermarkStrategySpec } from '../plan/watermarks.ts';
import { DataStream } from './data-stream.ts';
import { KeyedStream } from './keyed-stream.ts';
import { buildPlan } from './ops/build-plan.ts';
import { addSource, elementsDescriptor, iterableDescriptor, type SourceOptions } from './ops/connectors.ts';
import {
  type CheckpointingOptions,
  checkpointingConfig,
  restartStrategyConfig,
} from './ops/fault-tolerance.ts';
import { JobGraph } from './ops/job-graph.ts';
import { setConfig, validatedConfig } from './ops/job-options.ts';

export interface EnvironmentOptions {
  /** Shown in the dashboard, logs and errors. Default 'eddy job' (`eddy run` uses the file name). */
  readonly jobName?: string;
  /** Default parallelism of every operator. Default 1. */
  readonly parallelism?: number;
  /** Number of key groups, the upper bound for any operator's parallelism. Default 128. */
  readonly maxParallelism?: number;
  /** How often sources emit watermarks, in ms of processing time. Default 200. */
  readonly watermarkInterval?: number;
  /** Processing time; pass a ManualClock to make processing-time windows and timers deterministic. */
  readonly clock?: Clock;
  /** Records per batch a source hands to the graph at most. Default 1024. */
  readonly batchSize?: number;
  /** Batches a channel holds before its writer waits (backpressure). Default 8. */
  readonly channelCapacity?: number;
  /** Periodic checkpoints every `interval` ms (see enableCheckpointing). Default: off. */
  readonly checkpointing?: CheckpointingOptions & { readonly interval: number };
  /** See setRestartStrategy. Default: none without checkpointing, fixed delay with it. */
  readonly restartStrategy?: RestartStrategyConfig;
  /** See setStateBackend. Default 'heap'. */
  readonly stateBackend?: StateBackendConfig;
}

/**
 * Where a job is built (Flink's StreamExecutionEnvironment): sources start streams, and toPlan()
 * returns the plan the runtime executes. Options can be changed with the setters until toPlan.
 *
 * @example
 * const env = createEnvironment({ jobName: 'word-count', parallelism: 2 });
 * env.fromElements('a b', 'b c').flatMap<string>((line, out) => line.split(' ').forEach((w) => out.collect(w))).print();
 * const plan = env.toPlan();
 */
export class StreamEnvironment {
  readonly #graph: JobGraph;

  /** Use createEnvironment(). */
  constructor(options: EnvironmentOptions = {}) {
    const { checkpointing, restartStrategy, ...rest } = options;
    this.#graph = new JobGraph(validatedConfig({ ...DEFAULT_JOB_CONFIG, jobName: 'eddy job' }, rest), {
      keyed: (ref, key) => new KeyedStream(ref, key),
    });
    if (checkpointing !== undefined) this.enableCheckpointing(checkpointing.interval, checkpointing);
    if (restartStrategy !== undefined) this.setRestartStrategy(restartStrategy);
  }

  /** The settings so far (a copy). @example env.config.parallelism */
  get config(): JobPlan['config'] {
    return Object.freeze({ ...this.#graph.config });
  }

  /** @example env.setJobName('clickstream') */
  setJobName(jobName: string): this {
    setConfig(this.#graph.config, { jobName });
    return this;
  }

  /** Default parallelism of operators that do not set their own. @example env.setParallelism(4) */
  setParallelism(parallelism: number): this {
    setConfig(this.#graph.config, { parallelism });
    return this;
  }

  /** Number of key groups; fix it before the first savepoint, it cannot change later. @example env.setMaxParallelism(256) */
  setMaxParallelism(maxParallelism: number): this {
    setConfig(this.#graph.config, { maxParallelism });
    return this;
  }

  /** @example env.setWatermarkInterval(Time.seconds(1)) */
  setWatermarkInterval(watermarkInterval: number): this {
    setConfig(this.#graph.config, { watermarkInterval });
    return this;
  }

  /** @example env.setClock(new ManualClock(0)) */
  setClock(clock: Clock): this {
    setConfig(this.#graph.config, { clock });
    return this;
  }

  /** @example env.setBatchSize(256) */
  setBatchSize(batchSize: number): this {
    setConfig(this.#graph.config, { batchSize });
    return this;
  }

  /** @example env.setChannelCapacity(4) */
  setChannelCapacity(channelCapacity: number): this {
    setConfig(this.#graph.config, { channelCapacity });
    return this;
  }

  /**
   * Takes a checkpoint every `interval` ms: aligned barriers, state files plus a manifest under the
   * job's state directory, sinks committed when it completes. With checkpointing on, a failed job
   * restarts from the latest checkpoint (fixed delay, 1 s, unless setRestartStrategy says otherwise).
   *
   * @example
   * env.enableCheckpointing(Time.seconds(10), { minPause: Time.seconds(2), retained: 3 });
   */
  enableCheckpointing(interval: number, options: CheckpointingOptions = {}): this {
    setConfig(this.#graph.config, { checkpointing: checkpointingConfig(interval, options) });
    return this;
  }

  /**
   * What to do when the job fails: give up, or tear down and continue from the latest checkpoint.
   *
   * @example
   * env.setRestartStrategy(RestartStrategies.fixedDelay(3, Time.seconds(10)));
   */
  setRestartStrategy(strategy: RestartStrategyConfig): this {
    setConfig(this.#graph.config, { restartStrategy: restartStrategyConfig(strategy) });
    return this;
  }

  /**
   * Where keyed state lives: 'heap' (the default, fastest) or lmdb on local disk, for state larger
   * than memory (`dir`: where its working files go; default the job's state directory). Snapshots
   * have one format, so a savepoint of either restores on the other.
   *
   * @example
   * env.setStateBackend({ kind: 'lmdb', dir: '/fast-disk/eddy' });
   */
  setStateBackend(backend: StateBackendConfig): this {
    setConfig(this.#graph.config, { stateBackend: backend });
    return this;
  }

  /**
   * A stream from a connector (Kafka, files, sockets...) with its watermark strategy; the operator is
   * named `Source: <name>`.
   *
   * @example
   * const clicks = env.fromSource(
   *   kafkaSource<Click>({ topics: ['clicks'], format: 'json' }),
   *   WatermarkStrategy.forBoundedOutOfOrderness<Click>(Time.seconds(5)).withTimestampAssigner((c) => c.ts),
   *   'clicks',
   *   { badRecords: { kind: 'skip' } },
   * );
   */
  fromSource<T>(
    source: SourceDescriptor<T>,
    watermarks: NoInfer<WatermarkStrategySpec<T>>,
    name: string,
    options: SourceOptions = {},
  ): DataStream<T> {
    const watermarksOfUnknown = watermarks as WatermarkStrategySpec<unknown>;
    return new DataStream<T>(addSource(this.#graph, source, watermarksOfUnknown, name, options));
  }

  /**
   * A bounded stream of the given elements, in order, without timestamps (add them with
   * assignTimestampsAndWatermarks). Runs as one subtask.
   *
   * @example
   * env.fromElements({ word: 'a', count: 1 }, { word: 'b', count: 2 })
   */
  fromElements<T>(...elements: T[]): DataStream<T> {
    const source = elementsDescriptor<T>(elements) as SourceDescriptor<unknown>;
    const singleSubtask = 'the elements are read by one subtask';
    return new DataStream<T>(addSource(this.#graph, source, { kind: 'none' }, 'Elements', {}, singleSubtask));
  }

  /**
   * A bounded stream of what an Iterable or AsyncIterable yields (drained once, so one run per job).
   * Runs as one subtask.
   *
   * @example
   * env.fromCollection(readLines('input.txt'))   // an async generator
   */
  fromCollection<T>(iterable: Iterable<T> | AsyncIterable<T>): DataStream<T> {
    const source = iterableDescriptor<T>(iterable) as SourceDescriptor<unknown>;
    const singleSubtask = 'an iterable is read by one subtask';
    return new DataStream<T>(
      addSource(this.#graph, source, { kind: 'none' }, 'Collection', {}, singleSubtask),
    );
  }

  /**
   * The plan of everything built so far, checked: at least one sink, every window with a function and
   * (for GlobalWindows) a trigger, parallelism within maxParallelism, forward() only between operators of
   * equal parallelism. Throws a StreamError ENG_INVALID_JOB listing every problem.
   *
   * @example
   * startJob(env.toPlan());
   */
  toPlan(): JobPlan {
    return buildPlan(this.#graph);
  }
}

/**
 * A new, empty environment.
 *
 * @example
 * const env = createEnvironment({ jobName: 'clickstream', parallelism: 2, clock: new ManualClock(0) });
 */
export function createEnvironment(options: EnvironmentOptions = {}): StreamEnvironment {
  return new StreamEnvironment(options);
}
