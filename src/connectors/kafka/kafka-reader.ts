import type { StreamError } from '../../common/errors.ts';
import type { RawBadRecord, SourceChunk, SourceContext, SourceReader } from '../../engine/source.ts';
import { isOffsetOutOfRange } from '../../kafka/client-errors.ts';
import {
  type FetchedPartition,
  PartitionConsumer,
  partitionKey,
  type TopicPartition,
} from '../../kafka/partition-consumer.ts';
import { sleep } from '../shared/wakeup.ts';
import { kafkaFailure, missingBootstrap } from './kafka-errors.ts';
import { decodeValue } from './kafka-formats.ts';
import type { KafkaSourceConfig } from './kafka-source.ts';

const LABEL = 'kafka source';
/** How often read positions go to the consumer group (Kafka's auto.commit.interval.ms default). */
export const COMMIT_INTERVAL_MS = 5_000;

interface Assigned extends TopicPartition {
  readonly split: string;
  /** Next offset to fetch. */
  position: bigint;
  /** stopAtEnd: the end offset at open. */
  readonly end: bigint | undefined;
  ended: boolean;
}

/** A chunk ready to hand out, and the partition offset the group may commit once it has been. */
interface Pending {
  readonly chunk: SourceChunk<unknown>;
  readonly offsetAfter: bigint;
}

/** The running Kafka source subtask; see kafkaSource(). */
export class KafkaSourceReader implements SourceReader<unknown> {
  private readonly config: KafkaSourceConfig;
  private ctx: SourceContext | undefined;
  private consumer: PartitionConsumer | undefined;
  private bootstrap = '';
  private groupId = '';
  private assigned: Assigned[] = [];
  private pending: Pending[] = [];
  private announced = false;
  /** Offsets after the last record handed out, per split: what the group may commit. */
  private delivered = new Map<string, bigint>();
  private committed = new Map<string, bigint>();
  private lastCommitAt = 0;
  private commitInFlight: Promise<void> | undefined;
  private commitError: StreamError | undefined;

  constructor(config: KafkaSourceConfig) {
    this.config = config;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const bootstrap = this.config.bootstrap ?? ctx.bootstrap;
    if (bootstrap === undefined) throw missingBootstrap(LABEL);
    this.bootstrap = bootstrap;
    this.groupId = this.config.groupId ?? `eddy-${ctx.jobId}`;
    this.lastCommitAt = ctx.clock.now();
    const consumer = new PartitionConsumer({ bootstrap, clientId: `eddy-source-${ctx.subtaskIndex}` });
    this.consumer = consumer;
    try {
      const counts = await consumer.partitionCounts(this.config.topics);
      const all = this.config.topics.flatMap((topic) =>
        Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
      );
      const mine = all.filter((_, index) => index % ctx.parallelism === ctx.subtaskIndex);
      const starts = await this.startOffsets(consumer, mine);
      const ends = this.config.stopAtEnd === true ? await consumer.listOffsets(mine, 'latest') : undefined;
      this.assigned = mine.map((tp) => {
        const split = partitionKey(tp);
        const position = starts.get(split) ?? 0n;
        const end = ends?.get(split);
        this.delivered.set(split, position);
        this.committed.set(split, position);
        return { ...tp, split, position, end, ended: end !== undefined && position >= end };
      });
    } catch (error) {
      await this.close().catch(() => undefined);
      throw kafkaFailure(
        LABEL,
        bootstrap,
        'look up its partitions and offsets',
        error,
        'CON_KAFKA_READ_FAILED',
      );
    }
  }

  async poll(maxWaitMs: number): Promise<SourceChunk<unknown>[] | null> {
    const ctx = this.ctx;
    if (ctx === undefined || this.consumer === undefined)
      throw new Error('KafkaSourceReader.poll() before open()');
    if (this.commitError !== undefined) throw this.commitError;
    this.maybeCommit(ctx);
    if (!this.announced) {
      this.announced = true;
      return this.assigned.map((a) => ({
        split: a.split,
        values: [],
        timestamps: [],
        ...(a.ended ? { ended: true } : {}),
      }));
    }
    if (this.pending.length === 0) {
      const active = this.assigned.filter((a) => !a.ended);
      if (active.length === 0) {
        if (this.config.stopAtEnd === true) return null;
        await sleep(maxWaitMs, ctx.signal);
        return [];
      }
      await this.fetch(active, maxWaitMs, ctx);
    }
    return this.take(ctx.batchSize);
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer === undefined) return;
    let failure: unknown;
    try {
      await this.commitInFlight;
      if (this.config.commitOffsets !== false && this.ctx !== undefined && this.commitError === undefined) {
        await this.commit(consumer);
      }
    } catch (error) {
      failure = kafkaFailure(
        LABEL,
        this.bootstrap,
        `commit offsets to group "${this.groupId}"`,
        error,
        'CON_KAFKA_COMMIT_FAILED',
      );
    }
    await consumer.close().catch((error: unknown) => {
      failure ??= error;
    });
    if (failure !== undefined) throw failure;
  }

  private async startOffsets(
    consumer: PartitionConsumer,
    mine: TopicPartition[],
  ): Promise<Map<string, bigint>> {
    const from = this.config.startFrom;
    if (mine.length === 0) return new Map();
    if (from !== 'committed') return consumer.listOffsets(mine, from);
    const committed = await consumer.committedOffsets(this.groupId, mine);
    const without = mine.filter((tp) => !committed.has(partitionKey(tp)));
    if (without.length > 0)
      for (const [key, offset] of await consumer.listOffsets(without, 'earliest')) committed.set(key, offset);
    return committed;
  }

  private async fetch(active: Assigned[], maxWaitMs: number, ctx: SourceContext): Promise<void> {
    let fetched: FetchedPartition[];
    try {
      fetched = await this.consumer!.fetch(
        active.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.position })),
        maxWaitMs,
      );
    } catch (error) {
      if (isOffsetOutOfRange(error)) return this.resetOutOfRange(active);
      throw kafkaFailure(LABEL, this.bootstrap, 'fetch records', error, 'CON_KAFKA_READ_FAILED');
    }
    const bySplit = new Map(fetched.map((f) => [partitionKey(f), f]));
    for (const a of active) {
      const f = bySplit.get(a.split);
      if (f === undefined) continue;
      a.position = f.nextOffset;
      a.ended = a.end !== undefined && a.position >= a.end;
      this.queue(a, f, ctx.batchSize);
    }
  }

  /** Splits one partition's records into chunks of at most batchSize. */
  private queue(a: Assigned, fetched: FetchedPartition, batchSize: number): void {
    const records = fetched.records;
    if (records.length === 0) {
      if (a.ended)
        this.pending.push({
          chunk: { split: a.split, values: [], timestamps: [], ended: true },
          offsetAfter: a.position,
        });
      else this.delivered.set(a.split, a.position);
      return;
    }
    for (let from = 0; from < records.length; from += batchSize) {
      const slice = records.slice(from, from + batchSize);
      const last = from + batchSize >= records.length;
      const values: unknown[] = [];
      const timestamps: number[] = [];
      const bad: RawBadRecord[] = [];
      for (const r of slice) {
        try {
          values.push(decodeValue(this.config.format, r.value, r.key, r.headers));
          timestamps.push(r.timestamp);
        } catch (error) {
          bad.push({
            error: `cannot deserialize the value: ${error instanceof Error ? error.message : String(error)}`,
            value: r.value,
            key: r.key,
            origin: { topic: a.topic, partition: a.partition, offset: Number(r.offset) },
            timestamp: r.timestamp,
          });
        }
      }
      const chunk: SourceChunk<unknown> = {
        split: a.split,
        values,
        timestamps,
        ...(bad.length > 0 ? { bad } : {}),
        ...(last && a.ended ? { ended: true } : {}),
      };
      this.pending.push({ chunk, offsetAfter: last ? a.position : slice[slice.length - 1].offset + 1n });
    }
  }

  /** Pending chunks up to about batchSize values in all (at least one chunk). */
  private take(batchSize: number): SourceChunk<unknown>[] {
    const out: SourceChunk<unknown>[] = [];
    let count = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      const size = next.chunk.values.length + (next.chunk.bad?.length ?? 0);
      if (out.length > 0 && count + size > batchSize) break;
      this.pending.shift();
      out.push(next.chunk);
      count += size;
      this.delivered.set(next.chunk.split, next.offsetAfter);
    }
    return out;
  }

  /** Positions deleted by retention restart at the log start; positions past the end restart at the end. */
  private async resetOutOfRange(active: Assigned[]): Promise<void> {
    try {
      const earliest = await this.consumer!.listOffsets(active, 'earliest');
      const latest = await this.consumer!.listOffsets(active, 'latest');
      for (const a of active) {
        const low = earliest.get(a.split) ?? 0n;
        const high = latest.get(a.split) ?? low;
        if (a.position < low) a.position = low;
        else if (a.position > high) a.position = high;
      }
    } catch (error) {
      throw kafkaFailure(LABEL, this.bootstrap, 'list offsets', error, 'CON_KAFKA_READ_FAILED');
    }
  }

  private maybeCommit(ctx: SourceContext): void {
    if (this.config.commitOffsets === false || this.commitInFlight !== undefined) return;
    if (ctx.clock.now() - this.lastCommitAt < COMMIT_INTERVAL_MS) return;
    this.lastCommitAt = ctx.clock.now();
    const consumer = this.consumer!;
    this.commitInFlight = this.commit(consumer)
      .catch((error: unknown) => {
        this.commitError = kafkaFailure(
          LABEL,
          this.bootstrap,
          `commit offsets to group "${this.groupId}"`,
          error,
          'CON_KAFKA_COMMIT_FAILED',
        );
      })
      .finally(() => {
        this.commitInFlight = undefined;
      });
  }

  private async commit(consumer: PartitionConsumer): Promise<void> {
    const changed = this.assigned
      .map((a) => ({
        topic: a.topic,
        partition: a.partition,
        offset: this.delivered.get(a.split) ?? a.position,
      }))
      .filter((o) => o.offset !== this.committed.get(partitionKey(o)));
    await consumer.commit(this.groupId, changed);
    for (const o of changed) this.committed.set(partitionKey(o), o.offset);
  }
}
