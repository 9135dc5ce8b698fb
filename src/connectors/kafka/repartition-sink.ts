import { z } from 'zod';
import { isStreamError, StreamError } from '../../common/errors.ts';
import { type Clock, systemClock } from '../../common/time.ts';
import type { Batch } from '../../engine/batch.ts';
import { RepartitionEncoder, type RepartitionRecord } from '../../engine/repartition/repartition-records.ts';
import { type PartitionRecord, WatermarkPublisher } from '../../engine/repartition/writer-watermarks.ts';
import type { CheckpointingContext, SinkContext, SinkWriter, SourcePositions } from '../../engine/sink.ts';
import { userFunctionFailed } from '../../engine/user-function-error.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { keyGroupOf, subtaskForKeyGroup } from '../../state/key-groups.ts';
import { sinkSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { fn, nonEmpty, positiveInt } from '../shared/schemas.ts';
import { missingBootstrap } from './kafka-errors.ts';
import { transactionTimeoutFor } from './kafka-exactly-once.ts';
import { offsetsByGroup } from './kafka-positions.ts';
import type { KafkaPrepared } from './kafka-sink.ts';
import { type SharedTransaction, sharedTransaction } from './kafka-transaction.ts';
import { produceRequests } from './repartition-sink-records.ts';

/** Key groups travel as 2-byte record keys (repartition-records.ts); 32768 is also the engine's limit. */
const MAX_PARALLELISM = 32_768;

export const repartitionSinkConfig = z
  .strictObject({
    topic: nonEmpty,
    tasks: positiveInt,
    maxParallelism: positiveInt.max(MAX_PARALLELISM, { error: `must be at most ${MAX_PARALLELISM}` }),
    key: fn<(value: unknown) => unknown>('element => key'),
    bootstrap: nonEmpty.optional(),
  })
  .refine((c) => c.tasks <= c.maxParallelism, {
    error: 'must not exceed maxParallelism: each task owns at least one key group',
    path: ['tasks'],
  });

export type RepartitionSinkConfig = z.output<typeof repartitionSinkConfig>;

export interface RepartitionSinkOptions {
  /** `<jobId>-repartition-<n>`, created beforehand with `tasks` partitions. */
  readonly topic: string;
  /** The job's task count T: the topic's partition count and the sink's parallelism. */
  readonly tasks: number;
  readonly maxParallelism: number;
  /** The keyBy's key selector; an element goes to the partition of the task owning its key group. */
  readonly key: (value: unknown) => unknown;
  /** `host:port[,host:port]`; defaults to the job's cluster. */
  readonly bootstrap?: string;
}

const LABEL = 'repartition sink';
const WATERMARK_INTERVAL_MS = 200;

/**
 * The writing end of a repartition topic: the upstream stage of a scaled-out job sends each element to
 * the partition of the task that owns its key group, inside the task's exactly-once transaction, with
 * its watermarks and end of input as control records (docs/internals/scale-out.md §2, §5).
 *
 * @example
 * const writer = new RepartitionSinkWriter(repartitionSink(options).config as RepartitionSinkConfig);
 * await writer.open(ctx); // ctx.jobId `J.task-1`, subtaskIndex 1, parallelism = tasks, checkpointing on
 * await writer.write(batch); await writer.watermark(1_000); await writer.prepareCommit(1);
 */
export class RepartitionSinkWriter implements SinkWriter<unknown> {
  private readonly config: RepartitionSinkConfig;
  private readonly clock: Clock;
  private operatorName = LABEL;
  private bootstrap = '';
  private encoder: RepartitionEncoder | undefined;
  private publisher: WatermarkPublisher | undefined;
  private txn: SharedTransaction | undefined;
  /** The last checkpoint whose barrier this writer passed: later records wait for its commit. */
  private segment = Number.NEGATIVE_INFINITY;

  /** `clock` paces watermark records; tests pass a ManualClock. */
  constructor(config: RepartitionSinkConfig, clock: Clock = systemClock) {
    this.config = config;
    this.clock = clock;
  }

  async open(ctx: SinkContext): Promise<void> {
    const { topic, tasks } = this.config;
    this.operatorName = ctx.operatorName;
    if (ctx.parallelism !== tasks) {
      throw new StreamError(
        'CON_INVALID_CONFIG',
        `${LABEL} "${ctx.operatorName}" writes topic "${topic}" for ${tasks} tasks but runs at parallelism ` +
          `${ctx.parallelism}; in a scaled-out job every operator runs at the task count. Give the sink ` +
          'parallelism equal to tasks (splitAtKeyedEdges does).',
        { details: { connector: LABEL, topic, tasks, parallelism: ctx.parallelism } },
      );
    }
    const bootstrap = this.config.bootstrap ?? ctx.bootstrap;
    if (bootstrap === undefined) throw missingBootstrap(LABEL);
    this.bootstrap = bootstrap;
    const label = `${LABEL} "${topic}"`;
    const timeoutMs = transactionTimeoutFor(label, undefined, checkpointingOf(label, ctx.checkpointing));
    const encoder = new RepartitionEncoder(ctx.subtaskIndex, topic);
    this.encoder = encoder;
    this.publisher = new WatermarkPublisher({
      encoder,
      partitions: tasks,
      intervalMs: WATERMARK_INTERVAL_MS,
      clock: this.clock,
    });
    const txn = sharedTransaction({
      jobId: ctx.jobId,
      bootstrap,
      processIndex: ctx.processIndex ?? 0,
      timeoutMs,
    });
    this.txn = txn;
    try {
      await txn.join(this);
    } catch (error) {
      this.txn = undefined;
      await txn.leave(this);
      throw error;
    }
  }

  async write(batch: Batch<unknown>): Promise<void> {
    const encoder = this.opened(this.encoder);
    // A watermark held back by the interval goes before the new data, which it covers no less.
    await this.sendRecords(this.publisher!.poll());
    const { maxParallelism, tasks } = this.config;
    const keyGroups = this.keyGroups(batch.values);
    const partitions = new Array<number>(keyGroups.length);
    for (let i = 0; i < keyGroups.length; i++)
      partitions[i] = subtaskForKeyGroup(keyGroups[i], maxParallelism, tasks);
    // One record per partition and batch: a fraction of the serialize calls and Kafka records.
    let records: PartitionRecord[];
    try {
      records = encoder.dataBatches(batch, partitions);
    } catch (cause) {
      throw this.notPlainData(cause);
    }
    await this.sendRecords(records);
  }

  /** Sends watermark records to every partition when the watermark rose (at most every 200 ms). */
  async watermark(time: number): Promise<void> {
    await this.sendRecords(this.opened(this.publisher).advance(time));
  }

  /** The task's input went idle or active: readers leave an idle writer out of their watermark minimum. */
  async idle(idle: boolean): Promise<void> {
    await this.sendRecords(this.opened(this.publisher).setIdle(idle));
  }

  /** End of input: end records to every partition, then the task's transaction commits once all writers ended. */
  async flush(): Promise<void> {
    const txn = this.opened(this.txn);
    await this.sendRecords(this.publisher!.end());
    await txn.endOfInput(this);
  }

  /** Checkpoint barrier: what was written so far (and a held-back watermark) belongs to this checkpoint. */
  async prepareCommit(checkpointId: number): Promise<KafkaPrepared> {
    const txn = this.opened(this.txn);
    await this.sendRecords(this.publisher!.poll());
    this.segment = checkpointId;
    await txn.flush();
    return { transactionalId: txn.transactionalId, checkpointId };
  }

  /** Commits the task's transaction with its sources' positions (`eddy-checkpoint:<id>` metadata). */
  async commit(checkpointId: number, positions: readonly SourcePositions[]): Promise<void> {
    await this.txn?.commit(checkpointId, offsetsByGroup(positions, this.bootstrap, checkpointId));
  }

  /** Nothing to redo: open() aborts what a previous run left open, as in the Kafka sink. */
  recover(_prepared: readonly unknown[], _checkpointId: number): void {}

  async close(): Promise<void> {
    const txn = this.txn;
    this.txn = undefined;
    if (txn !== undefined) await txn.leave(this);
  }

  private keyGroups(values: readonly unknown[]): number[] {
    const { key, maxParallelism } = this.config;
    const groups = new Array<number>(values.length);
    for (let i = 0; i < values.length; i++) {
      try {
        groups[i] = keyGroupOf(key(values[i]), maxParallelism);
      } catch (cause) {
        throw userFunctionFailed(`${this.operatorName} (key selector)`, values[i], cause);
      }
    }
    return groups;
  }

  /** Records (data or control) bound for given partitions, in order. */
  private sendRecords(controls: readonly PartitionRecord[]): Promise<void> {
    if (controls.length === 0) return Promise.resolve();
    return this.send(
      controls.map((c) => c.record),
      controls.map((c) => c.partition),
    );
  }

  /** Sends records in order into the writer's segment: after its last barrier, before the next. */
  private async send(records: readonly RepartitionRecord[], partitions: readonly number[]): Promise<void> {
    const txn = this.opened(this.txn);
    for (const { messages, bytes } of produceRequests(this.config.topic, records, partitions))
      await txn.send(this.segment, messages, bytes);
  }

  /** plain-data.ts names the topic and the record; the user also needs the operator that sent it. */
  private notPlainData(cause: unknown): unknown {
    if (!isStreamError(cause, 'ENG_RECORD_NOT_SERIALIZABLE')) return cause;
    return new StreamError(cause.code, `operator "${this.operatorName}": ${cause.message}`, {
      cause,
      details: { ...cause.details, operator: this.operatorName },
    });
  }

  private opened<T>(part: T | undefined): T {
    if (part === undefined) throw new Error('RepartitionSinkWriter used before open() or after close()');
    return part;
  }
}

/** The repartition topics are how tasks meet, so a scaled-out job cannot run without exactly-once checkpoints. */
function checkpointingOf(
  label: string,
  checkpointing: CheckpointingContext | undefined,
): CheckpointingContext {
  if (checkpointing?.mode === 'exactly-once') return checkpointing;
  throw new StreamError(
    'CON_EXACTLY_ONCE_MISCONFIGURED',
    `${label}: a scaled-out job needs checkpointing in mode 'exactly-once' (its tasks exchange records ` +
      `through Kafka transactions that commit at checkpoints), but it has ${
        checkpointing === undefined ? 'none' : `mode '${checkpointing.mode}'`
      }. Enable exactly-once checkpointing for the job.`,
    { details: { connector: label } },
  );
}

export const repartitionSinkSide = sinkSide(repartitionSinkConfig, (c) => new RepartitionSinkWriter(c));

/**
 * The writing end of a keyed exchange between two stages of a scaled-out job (splitAtKeyedEdges makes
 * it; users write keyBy). Needs exactly-once checkpointing; the topic must exist with `tasks` partitions.
 *
 * @example
 * const sink = repartitionSink({ topic: 'clicks-repartition-0', tasks: 4, maxParallelism: 128,
 *   key: (click) => (click as Click).user });
 */
export function repartitionSink(options: RepartitionSinkOptions): SinkDescriptor<unknown> {
  const config = { ...options };
  parseConfig(LABEL, repartitionSinkConfig, config);
  return { connector: 'kafka-repartition', config };
}
