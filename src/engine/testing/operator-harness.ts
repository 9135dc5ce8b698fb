import { StreamError } from '../../common/errors.ts';
import { MAX_TIMESTAMP, ManualClock, MIN_TIMESTAMP } from '../../common/time.ts';
import type {
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  KeySelector,
  ProcessFunction,
} from '../../plan/functions.ts';
import type { PlanNode, StateBackendConfig } from '../../plan/nodes.ts';
import type { OutputTag } from '../../plan/output-tag.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../plan/state.ts';
import type { KeyedStateBackend } from '../../state/backend.ts';
import { keyGroupRangeFor } from '../../state/key-groups.ts';
import type { Batch } from '../batch.ts';
import { createKeyedStateBackend } from '../keyed-state.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import { createOperator } from '../operators/registry.ts';
import {
  keyedCoProcessNode,
  keyedProcessNode,
  processNode,
  type WindowHarnessSpec,
  windowNode,
} from './harness-nodes.ts';
import { type HarnessSnapshot, restoreSnapshots, takeSnapshot } from './harness-snapshots.ts';
import { readState } from './read-state.ts';

export interface HarnessOptions {
  /** Key groups of the job (default 128); the harness owns all of them unless `subtask` says otherwise. */
  readonly maxParallelism?: number;
  /** Where the ManualClock starts (default 0). */
  readonly startTime?: number;
  readonly jobName?: string;
  /** Keyed state on the heap (default) or in lmdb (files in a temporary directory, removed by close()). */
  readonly stateBackend?: StateBackendConfig;
  /** Runs as one subtask of a parallel operator: it owns that subtask's key groups only. */
  readonly subtask?: { readonly index: number; readonly parallelism: number };
  /**
   * Restores snapshots taken with snapshot() before the operator opens; several snapshots are the old
   * subtasks of a rescaled operator (each new subtask takes its key groups' share).
   */
  readonly restoreFrom?: HarnessSnapshot | readonly HarnessSnapshot[];
}

export interface TimestampedRecord<T> {
  readonly value: T;
  /** NaN when the record has none. */
  readonly timestamp: number;
}

/** Guards against processing-time callbacks that keep asking for a time already reached. */
const MAX_CALLBACK_ROUNDS = 10_000;

/**
 * Runs one operator without the runtime: feed elements and watermarks, move processing time by hand,
 * then look at what came out and at keyed state. Processing time is a ManualClock, keyed state a heap
 * backend owning every key group, and the operator's processing-time requests are honoured by
 * setProcessingTime.
 *
 * @example
 * const h = await OperatorHarness.forKeyedProcess(fn, (e: Click) => e.user);
 * h.processElement({ user: 'a' }, 1_000);
 * h.processWatermark(2_000);
 * assert.deepEqual(h.output(), [...]);
 * await h.close();
 */
export class OperatorHarness<IN = unknown, OUT = unknown> {
  readonly clock: ManualClock;
  readonly backend: KeyedStateBackend;
  readonly operator: Operator<IN, OUT>;
  readonly maxParallelism: number;
  private checkpoints = 0;
  private readonly context: OperatorContext<OUT>;
  private records: TimestampedRecord<OUT>[] = [];
  private readonly sides = new Map<string, TimestampedRecord<unknown>[]>();
  private readonly marks: number[] = [];
  private readonly requests: number[] = [];
  private watermark = MIN_TIMESTAMP;

  private constructor(operator: Operator<IN, OUT>, name: string, options: HarnessOptions) {
    const maxParallelism = options.maxParallelism ?? 128;
    this.maxParallelism = maxParallelism;
    this.operator = operator;
    this.clock = new ManualClock(options.startTime ?? 0);
    const { index, parallelism } = options.subtask ?? { index: 0, parallelism: 1 };
    const keyGroups = keyGroupRangeFor(index, maxParallelism, parallelism);
    this.backend = createKeyedStateBackend({
      clock: this.clock,
      keyGroups,
      maxParallelism,
      backend: options.stateBackend,
    });
    this.context = {
      output: {
        emit: (batch) => this.collect(this.records, batch),
        emitWatermark: (time) => this.marks.push(time),
        emitSide: (tag, batch) => this.collect(this.sideRecords(tag), batch),
      },
      runtime: {
        jobName: options.jobName ?? 'harness',
        operatorName: name,
        subtaskIndex: index,
        parallelism,
      },
      clock: this.clock,
      currentWatermark: () => this.watermark,
      requestProcessingTime: (time) => this.requests.push(time),
      keyedState: this.backend,
      keyGroups,
      maxParallelism,
    };
  }

  /** A harness around an operator you built; it is opened before this returns. */
  static async of<IN, OUT>(
    operator: Operator<IN, OUT>,
    options: HarnessOptions & { readonly name?: string } = {},
  ): Promise<OperatorHarness<IN, OUT>> {
    const harness = new OperatorHarness(operator, options.name ?? 'operator', options);
    if (options.restoreFrom !== undefined) {
      const snapshots = Array.isArray(options.restoreFrom) ? options.restoreFrom : [options.restoreFrom];
      const { index, parallelism } = options.subtask ?? { index: 0, parallelism: 1 };
      await restoreSnapshots(operator as Operator<never, unknown>, harness.backend, snapshots, {
        keyGroups: harness.context.keyGroups!,
        subtaskIndex: index,
        parallelism,
        maxParallelism: harness.maxParallelism,
      });
    }
    await operator.open?.(harness.context);
    return harness;
  }

  /** A harness around the operator the engine would build for a plan node. */
  static async forNode<IN = unknown, OUT = unknown>(
    node: Exclude<PlanNode, { kind: 'source' | 'sink' }>,
    options: HarnessOptions = {},
  ): Promise<OperatorHarness<IN, OUT>> {
    const operator = createOperator(node) as Operator<IN, OUT>;
    return OperatorHarness.of(operator, { ...options, name: node.name });
  }

  static forKeyedProcess<K, IN, OUT>(
    fn: KeyedProcessFunction<K, IN, OUT>,
    key: KeySelector<IN, K>,
    options: HarnessOptions = {},
  ): Promise<OperatorHarness<IN, OUT>> {
    return OperatorHarness.forNode(keyedProcessNode(fn, key), options);
  }

  /** Elements of the first input go in with port 0, of the second with port 1. */
  static forKeyedCoProcess<K, IN1, IN2, OUT>(
    fn: KeyedCoProcessFunction<K, IN1, IN2, OUT>,
    key1: KeySelector<IN1, K>,
    key2: KeySelector<IN2, K>,
    options: HarnessOptions = {},
  ): Promise<OperatorHarness<IN1 | IN2, OUT>> {
    return OperatorHarness.forNode(keyedCoProcessNode(fn, key1, key2), options);
  }

  static forProcess<IN, OUT>(
    fn: ProcessFunction<IN, OUT>,
    options: HarnessOptions = {},
  ): Promise<OperatorHarness<IN, OUT>> {
    return OperatorHarness.forNode(processNode(fn), options);
  }

  static forWindow<T, K = unknown, OUT = unknown>(
    spec: WindowHarnessSpec<T, K, OUT>,
    options: HarnessOptions = {},
  ): Promise<OperatorHarness<T, OUT>> {
    return OperatorHarness.forNode(windowNode(spec), options);
  }

  /** Feeds one element (timestamp NaN = none) to input `port`. */
  processElement(value: IN, timestamp = Number.NaN, port = 0): void {
    this.processBatch([value], [timestamp], port);
  }

  /** Feeds a batch; without timestamps every element has none. */
  processBatch(values: IN[], timestamps?: number[], port = 0): void {
    const batch: Batch<IN> = { values, timestamps: timestamps ?? values.map(() => Number.NaN) };
    const result = this.operator.processBatch(batch, port);
    if (result instanceof Promise) {
      result.catch(() => {});
      throw new StreamError(
        'ENG_HARNESS_MISUSE',
        'this operator handles batches asynchronously; use `await harness.processBatchAsync(...)` for it',
      );
    }
  }

  /** For operators whose processBatch returns a promise (sinks). */
  async processBatchAsync(values: IN[], timestamps?: number[], port = 0): Promise<void> {
    await this.operator.processBatch(
      { values, timestamps: timestamps ?? values.map(() => Number.NaN) },
      port,
    );
  }

  /** Delivers a watermark: the operator fires its event-time timers and forwards it (see watermarks()). */
  processWatermark(time: number): void {
    if (time > this.watermark) this.watermark = time;
    if (this.operator.onWatermark) this.operator.onWatermark(time);
    else this.marks.push(time);
  }

  /** Moves the ManualClock to `time` and calls the operator back for every processing time it asked for. */
  setProcessingTime(time: number): void {
    this.clock.set(time);
    for (let round = 0; this.takeDue(time); round++) {
      if (round >= MAX_CALLBACK_ROUNDS) {
        throw new StreamError(
          'ENG_HARNESS_MISUSE',
          `the operator keeps asking for processing-time callbacks at or before ${time}; check its timers`,
        );
      }
      this.operator.onProcessingTime?.(time);
    }
  }

  advanceProcessingTime(ms: number): void {
    this.setProcessingTime(this.clock.now() + ms);
  }

  /** Main output values so far, in emission order. */
  output(): OUT[] {
    return this.records.map((record) => record.value);
  }

  outputWithTimestamps(): TimestampedRecord<OUT>[] {
    return [...this.records];
  }

  /** Values sent to a side output (by tag or tag id). */
  sideOutput<X>(tag: OutputTag<X> | string): X[] {
    return this.sideOutputWithTimestamps(tag).map((record) => record.value);
  }

  sideOutputWithTimestamps<X>(tag: OutputTag<X> | string): TimestampedRecord<X>[] {
    return [...(this.sides.get(typeof tag === 'string' ? tag : tag.id) ?? [])] as TimestampedRecord<X>[];
  }

  /** Watermarks the operator forwarded. */
  watermarks(): number[] {
    return [...this.marks];
  }

  /** Forgets the outputs collected so far (main, side and watermarks). */
  clearOutput(): void {
    this.records = [];
    this.sides.clear();
    this.marks.length = 0;
  }

  /**
   * Reads a key's keyed state (a window's state with the namespace from windowNamespace()). Lists
   * and maps come back as copies. Reading counts as an access for TTL 'read-and-write' states.
   */
  state<T>(key: unknown, descriptor: ValueStateDescriptor<T>, namespace?: string): T | undefined;
  state<T>(key: unknown, descriptor: ListStateDescriptor<T>, namespace?: string): T[];
  state<K, V>(key: unknown, descriptor: MapStateDescriptor<K, V>, namespace?: string): Map<K, V>;
  state<T>(key: unknown, descriptor: ReducingStateDescriptor<T>, namespace?: string): T | undefined;
  state<I, A, O>(
    key: unknown,
    descriptor: AggregatingStateDescriptor<I, A, O>,
    namespace?: string,
  ): O | undefined;
  state(key: unknown, descriptor: StateDescriptor, namespace = ''): unknown {
    const previous = this.backend.currentKey();
    this.backend.setCurrentKey(key);
    try {
      return readState(this.backend.store(namespace), descriptor);
    } finally {
      this.backend.setCurrentKey(previous);
    }
  }

  /** Keys holding any keyed state. */
  keyCount(): number {
    return this.backend.keyCount();
  }

  /**
   * Takes a snapshot as a checkpoint barrier would (the operator's timers and buffers, and keyed
   * state), in the canonical snapshot format. Build a harness from it with the `restoreFrom` option.
   *
   * @example
   * const snap = await h.snapshot();
   * const restored = await OperatorHarness.forKeyedProcess(fn, key, { restoreFrom: snap });
   */
  snapshot(): Promise<HarnessSnapshot> {
    const operator = this.operator as Operator<never, unknown>;
    return takeSnapshot(operator, this.backend, ++this.checkpoints, this.maxParallelism);
  }

  /** Ends the input as the runtime does: the final watermark (if not sent yet), then endInput. */
  async endInput(): Promise<void> {
    if (this.watermark < MAX_TIMESTAMP) this.processWatermark(MAX_TIMESTAMP);
    await this.operator.endInput?.();
  }

  async close(): Promise<void> {
    try {
      await this.operator.close?.();
    } finally {
      this.backend.dispose();
      await (this.backend as { closed?: Promise<void> }).closed;
    }
  }

  private collect<T>(into: TimestampedRecord<T>[], batch: Batch<T>): void {
    for (let i = 0; i < batch.values.length; i++)
      into.push({ value: batch.values[i], timestamp: batch.timestamps[i] });
  }

  private sideRecords(tag: string): TimestampedRecord<unknown>[] {
    let records = this.sides.get(tag);
    if (records === undefined) {
      records = [];
      this.sides.set(tag, records);
    }
    return records;
  }

  private takeDue(now: number): boolean {
    const before = this.requests.length;
    for (let i = this.requests.length - 1; i >= 0; i--)
      if (this.requests[i] <= now) this.requests.splice(i, 1);
    return this.requests.length !== before;
  }
}
