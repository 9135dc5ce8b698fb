import { StreamError } from '../../common/errors.ts';
import { type ControlEvent, decodeRepartitionRecords } from '../../engine/repartition/repartition-records.ts';
import { WriterWatermarks } from '../../engine/repartition/writer-watermarks.ts';
import type { SourceChunk, SourceContext, SourceReader, SplitPosition } from '../../engine/source.ts';
import {
  type FetchedRecord,
  PartitionConsumer,
  partitionKey,
  type TopicPartition,
} from '../../kafka/partition-consumer.ts';
import { kafkaFailure, missingBootstrap } from './kafka-errors.ts';
import { restoredOffsets } from './kafka-positions.ts';
import { startOffsets } from './kafka-start-offsets.ts';
import { repartitionSplitPosition, restoredWriters } from './repartition-position.ts';
import type { RepartitionSourceConfig } from './repartition-source.ts';

const LABEL = 'repartition source';

/**
 * What poll() hands out next, in partition order: a chunk of elements, or a writer's control event that
 * takes effect once every element before it has been handed out. `offsetAfter` is the offset to resume
 * from once this item is out.
 */
type Pending =
  | { readonly chunk: SourceChunk<unknown>; readonly event?: undefined; offsetAfter: bigint }
  | { readonly chunk?: undefined; readonly event: ControlEvent; offsetAfter: bigint };

/**
 * The running repartition source subtask: subtask i reads partition i of the topic (the PartitionConsumer
 * reads read_committed, so aborted writes of a failed writer never show). See repartitionSource().
 *
 * @example
 * const reader = new RepartitionReader({ topic: 'j-repartition-0', tasks: 3, bounded: true });
 * await reader.open(ctx); // ctx.subtaskIndex 1, ctx.parallelism 3: reads partition 1
 * const chunks = await reader.poll(100); reader.currentWatermark(); // { watermark: 990, idle: false }
 */
export class RepartitionReader implements SourceReader<unknown> {
  private readonly config: RepartitionSourceConfig;
  private ctx: SourceContext | undefined;
  private consumer: PartitionConsumer | undefined;
  private bootstrap = '';
  private groupId = '';
  private partition: TopicPartition | undefined;
  private split = '';
  private writers: WriterWatermarks | undefined;
  /** The next offset to fetch. */
  private position = 0n;
  /** The offset after the last item handed out: where a restore resumes. */
  private delivered = 0n;
  private pending: Pending[] = [];
  private head = 0;
  private restored: readonly SplitPosition[] = [];
  private announced = false;
  private endAnnounced = false;

  constructor(config: RepartitionSourceConfig) {
    this.config = config;
  }

  /** Positions of the previous run; open() takes this subtask's offset and writer watermarks from them. */
  restorePositions(positions: readonly SplitPosition[]): void {
    this.restored = positions;
  }

  /** The offset after what poll() has returned, with the writer watermarks at that point. */
  snapshotPositions(): SplitPosition[] {
    const { partition, writers } = this;
    if (partition === undefined || writers === undefined) return [];
    return [
      repartitionSplitPosition(partition, this.delivered, this.groupId, this.bootstrap, writers.snapshot()),
    ];
  }

  /** The minimum over writers of their watermarks (undefined until each live writer sent one). */
  currentWatermark(): { readonly watermark: number | undefined; readonly idle: boolean } {
    const writers = this.writers;
    if (writers === undefined) return { watermark: undefined, idle: false };
    const watermark = writers.watermark;
    return {
      watermark: watermark === Number.NEGATIVE_INFINITY ? undefined : watermark,
      idle: writers.isIdle,
    };
  }

  async open(ctx: SourceContext): Promise<void> {
    const { topic, tasks } = this.config;
    if (ctx.parallelism !== tasks)
      throw new StreamError(
        'CON_INVALID_CONFIG',
        `${LABEL} of "${topic}" runs at parallelism ${ctx.parallelism}, but the topic has one partition ` +
          `per task and the job has ${tasks} tasks: every operator of a scaled-out job must run at ` +
          `parallelism ${tasks}. Do not set a parallelism on operators of a scaled-out job.`,
        { details: { connector: LABEL, topic, tasks, parallelism: ctx.parallelism } },
      );
    const bootstrap = this.config.bootstrap ?? ctx.bootstrap;
    if (bootstrap === undefined) throw missingBootstrap(LABEL);
    this.ctx = ctx;
    this.bootstrap = bootstrap;
    this.groupId = `eddy-${ctx.jobId}`;
    const partition = { topic, partition: ctx.subtaskIndex };
    this.partition = partition;
    this.split = partitionKey(partition);
    this.writers = new WriterWatermarks(tasks, partition);
    const saved = restoredWriters(this.restored, this.split);
    if (saved !== undefined) this.writers.restore(saved);
    const consumer = new PartitionConsumer({ bootstrap, clientId: `eddy-repartition-${ctx.subtaskIndex}` });
    this.consumer = consumer;
    try {
      const count = (await consumer.partitionCounts([topic])).get(topic);
      if (count !== tasks) throw this.wrongPartitionCount(count ?? 0);
      // Restored offset first; else the group's (committed with a checkpoint); else the earliest.
      const starts = await startOffsets(consumer, [partition], {
        startFrom: 'committed',
        groupId: this.groupId,
        restored: restoredOffsets(this.restored, [topic]),
      });
      this.position = starts.get(this.split) ?? 0n;
      this.delivered = this.position;
    } catch (error) {
      await this.close().catch(() => undefined);
      throw kafkaFailure(
        LABEL,
        bootstrap,
        'look up its partition and offset',
        error,
        'CON_KAFKA_READ_FAILED',
      );
    }
  }

  async poll(maxWaitMs: number): Promise<SourceChunk<unknown>[] | null> {
    const ctx = this.ctx;
    if (ctx === undefined || this.consumer === undefined)
      throw new Error('RepartitionReader.poll() before open()');
    if (!this.announced) {
      this.announced = true;
      return [{ split: this.split, values: [], timestamps: [] }];
    }
    if (this.head === this.pending.length) {
      if (this.config.bounded && this.writers!.allEnded) {
        if (this.endAnnounced) return null;
        this.endAnnounced = true;
        return [{ split: this.split, values: [], timestamps: [], ended: true }];
      }
      await this.fetch(maxWaitMs, ctx.batchSize);
    }
    return this.take(ctx.batchSize);
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.close();
  }

  private async fetch(maxWaitMs: number, batchSize: number): Promise<void> {
    const partition = this.partition!;
    let records: FetchedRecord[] = [];
    let nextOffset = this.position;
    try {
      const fetched = await this.consumer!.fetch([{ ...partition, offset: this.position }], maxWaitMs);
      for (const f of fetched) {
        records = f.records;
        nextOffset = f.nextOffset;
      }
    } catch (error) {
      throw kafkaFailure(LABEL, this.bootstrap, 'fetch records', error, 'CON_KAFKA_READ_FAILED');
    }
    this.pending = [];
    this.head = 0;
    this.position = nextOffset;
    // Only transaction markers or aborted records: nothing to hand out, but a restore may skip them.
    if (records.length === 0) this.delivered = nextOffset;
    else this.queue(records, nextOffset, batchSize);
  }

  /**
   * Queues the fetched records as chunks, cut at every control event and at record boundaries only (a
   * batch record's elements are never split between two polls, so a checkpoint's position is always a
   * record offset); consecutive records share a chunk while it stays within batchSize elements.
   */
  private queue(records: readonly FetchedRecord[], nextOffset: bigint, batchSize: number): void {
    let values: unknown[] = [];
    let timestamps: number[] = [];
    const flush = (offsetAfter: bigint) => {
      if (values.length === 0) return;
      this.pending.push({ chunk: { split: this.split, values, timestamps }, offsetAfter });
      values = [];
      timestamps = [];
    };
    for (const record of records) {
      // Throws ENG_REPARTITION_RECORD_INVALID naming topic, partition and offset for a record it cannot read.
      const { batch, controls } = decodeRepartitionRecords([record], this.partition);
      if (controls.length > 0) {
        flush(record.offset);
        for (const { event } of controls) this.pending.push({ event, offsetAfter: record.offset + 1n });
        continue;
      }
      if (values.length > 0 && values.length + batch.values.length > batchSize) flush(record.offset);
      if (values.length === 0) {
        values = batch.values;
        timestamps = batch.timestamps;
      } else
        for (let i = 0; i < batch.values.length; i++) {
          values.push(batch.values[i]);
          timestamps.push(batch.timestamps[i]);
        }
    }
    flush(nextOffset);
    // The fetch may end past the last record (a commit marker): resume after it.
    const last = this.pending.at(-1);
    if (last !== undefined) last.offsetAfter = nextOffset;
    else this.delivered = nextOffset;
  }

  /**
   * Hands out queued chunks up to about batchSize elements (at least one chunk), applying each control
   * event once the elements before it are in this poll's result: the engine reads currentWatermark()
   * only after emitting them, so no element can arrive behind a watermark that covers it.
   */
  private take(batchSize: number): SourceChunk<unknown>[] {
    const out: SourceChunk<unknown>[] = [];
    let count = 0;
    while (this.head < this.pending.length) {
      const next = this.pending[this.head];
      if (next.chunk !== undefined) {
        const size = next.chunk.values.length;
        if (out.length > 0 && count + size > batchSize) break;
        out.push(next.chunk);
        count += size;
      } else this.writers!.apply(next.event);
      this.head++;
      this.delivered = next.offsetAfter;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    }
    return out;
  }

  private wrongPartitionCount(count: number): StreamError {
    const { topic, tasks } = this.config;
    return new StreamError(
      'CON_INVALID_CONFIG',
      `repartition topic "${topic}" has ${count} partitions but the job runs ${tasks} tasks (one partition ` +
        `each): it was created for another task count. Run the job with ${count} tasks, or start it afresh ` +
        'under a new --job-id.',
      { details: { connector: LABEL, topic, partitions: count, tasks } },
    );
  }
}
