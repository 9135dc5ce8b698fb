import type { StreamError } from '../../common/errors.ts';
import type { SourceChunk, SourceContext, SourceReader, SplitPosition } from '../../engine/source.ts';
import { isOffsetOutOfRange } from '../../kafka/client-errors.ts';
import {
  type FetchedPartition,
  PartitionConsumer,
  partitionKey,
  type TopicPartition,
} from '../../kafka/partition-consumer.ts';
import { sleep } from '../shared/wakeup.ts';
import { ownedPartitions } from './kafka-assignment.ts';
import { DISCOVERY_INTERVAL_MS, PartitionDiscovery } from './kafka-discovery.ts';
import { kafkaFailure, missingBootstrap } from './kafka-errors.ts';
import { decodeRecords } from './kafka-formats.ts';
import { kafkaSplitPosition, restoredOffsets } from './kafka-positions.ts';
import type { KafkaSourceConfig } from './kafka-source.ts';
import { startOffsets } from './kafka-start-offsets.ts';

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
  /** Positions from a checkpoint, by split; they override startFrom. */
  private restored = new Map<string, bigint>();
  private commits = true;
  private discovery: PartitionDiscovery | undefined;

  constructor(config: KafkaSourceConfig) {
    this.config = config;
  }

  /** Positions of every subtask of the previous run; open() starts the partitions it owns there. */
  restorePositions(positions: readonly SplitPosition[]): void {
    this.restored = restoredOffsets(positions, this.config.topics);
  }

  /** The next offset to read in each owned partition, after the records poll() has returned. */
  snapshotPositions(): SplitPosition[] {
    return this.assigned.map((a) =>
      kafkaSplitPosition(a, this.delivered.get(a.split) ?? a.position, this.groupId, this.bootstrap),
    );
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    // With checkpoints, positions live in them (and go to the group inside exactly-once sinks' transactions).
    this.commits = this.config.commitOffsets ?? ctx.checkpointing === undefined;
    const bootstrap = this.config.bootstrap ?? ctx.bootstrap;
    if (bootstrap === undefined) throw missingBootstrap(LABEL);
    this.bootstrap = bootstrap;
    this.groupId = this.config.groupId ?? `eddy-${ctx.jobId}`;
    this.lastCommitAt = ctx.clock.now();
    const consumer = new PartitionConsumer({ bootstrap, clientId: `eddy-source-${ctx.subtaskIndex}` });
    this.consumer = consumer;
    try {
      const counts = await consumer.partitionCounts(this.config.topics);
      // Bounded sources read what existed at open: their end offsets are fixed there too.
      const interval =
        this.config.stopAtEnd === true
          ? 0
          : (this.config.partitionDiscoveryInterval ?? DISCOVERY_INTERVAL_MS);
      this.discovery = new PartitionDiscovery(this.config.topics, interval, counts, ctx);
      const mine = ownedPartitions(this.config.topics, counts, ctx.subtaskIndex, ctx.parallelism);
      const starts = await startOffsets(consumer, mine, {
        startFrom: this.config.startFrom,
        groupId: this.groupId,
        restored: this.restored,
      });
      const ends = this.config.stopAtEnd === true ? await consumer.listOffsets(mine, 'latest') : undefined;
      this.assigned = mine.map((tp) => this.assign(tp, starts.get(partitionKey(tp)) ?? 0n, ends));
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
    await this.discover();
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
      if (this.commits && this.ctx !== undefined && this.commitError === undefined) {
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

  /** Starts reading a partition at `position`; `ends` holds stopAtEnd's end offsets. */
  private assign(tp: TopicPartition, position: bigint, ends: Map<string, bigint> | undefined): Assigned {
    const split = partitionKey(tp);
    const end = ends?.get(split);
    this.delivered.set(split, position);
    this.committed.set(split, position);
    return { ...tp, split, position, end, ended: end !== undefined && position >= end };
  }

  /** Adds the partitions discovery found, each announced by an empty chunk so its watermark counts. */
  private async discover(): Promise<void> {
    for (const found of await this.discovery!.poll(this.consumer!)) {
      const a = this.assign(found, found.offset, undefined);
      this.assigned.push(a);
      this.pending.push({ chunk: { split: a.split, values: [], timestamps: [] }, offsetAfter: a.position });
    }
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
      const { values, timestamps, bad } = decodeRecords(this.config.format, slice, a);
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
    if (!this.commits || this.commitInFlight !== undefined) return;
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
