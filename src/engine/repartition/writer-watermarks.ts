import { StreamError } from '../../common/errors.ts';
import { type Clock, MAX_TIMESTAMP } from '../../common/time.ts';
import type {
  ControlEvent,
  RepartitionEncoder,
  RepartitionOrigin,
  RepartitionRecord,
} from './repartition-records.ts';

// A repartition partition has T writers whose event clocks differ (docs/internals/scale-out.md §5). The
// reader keeps the latest watermark of each writer and takes the minimum; the writer sends a watermark
// record to every partition only when its watermark rose, and not more often than an interval, since
// each one costs T records per writer.

/** The reader's state of one partition, to keep in a checkpoint next to the partition's offset. */
export interface WriterWatermarksSnapshot {
  readonly watermarks: readonly number[];
  readonly idle: readonly boolean[];
  readonly ended: readonly boolean[];
  readonly current: number;
}

/**
 * The watermark of one repartition partition from the control events of its T writers: the minimum over
 * writers that are neither idle nor ended. A writer not heard from yet holds it at -Infinity; an ended
 * writer counts as MAX_TIMESTAMP; when every writer that has not ended is idle, the partition is idle
 * and its watermark stays. It never goes back: a restored reader may read an older watermark again.
 *
 * @example
 * const partition = new WriterWatermarks(2);
 * partition.apply({ kind: 'watermark', writer: 0, time: 50 }); // undefined: writer 1 unknown
 * partition.apply({ kind: 'idle', writer: 1, idle: true });    // 50
 */
export class WriterWatermarks {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly ended: boolean[];
  private readonly origin: RepartitionOrigin | undefined;
  private current = Number.NEGATIVE_INFINITY;

  constructor(writers: number, origin?: RepartitionOrigin) {
    if (!Number.isInteger(writers) || writers < 1)
      throw new StreamError(
        'ENG_INVALID_ARGUMENT',
        `a repartition partition needs 1 or more writers, got ${writers}`,
      );
    this.watermarks = new Array<number>(writers).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Array<boolean>(writers).fill(false);
    this.ended = new Array<boolean>(writers).fill(false);
    this.origin = origin;
  }

  /** The partition's watermark so far; -Infinity until every active writer has sent one. */
  get watermark(): number {
    return this.current;
  }

  /** True when some writer has not ended and every such writer is idle. */
  get isIdle(): boolean {
    let live = 0;
    for (let i = 0; i < this.idle.length; i++) {
      if (this.ended[i]) continue;
      if (!this.idle[i]) return false;
      live++;
    }
    return live > 0;
  }

  get allEnded(): boolean {
    return this.ended.every(Boolean);
  }

  /** Applies one decoded control event; returns the partition's new watermark when it rose. */
  apply(event: ControlEvent): number | undefined {
    const writer = event.writer;
    if (writer >= this.watermarks.length) throw this.unknownWriter(writer);
    // An end is final: a later record of that writer is a replay from before it ended.
    if (this.ended[writer]) return undefined;
    if (event.kind === 'watermark') {
      if (event.time > this.watermarks[writer]) this.watermarks[writer] = event.time;
    } else if (event.kind === 'idle') this.idle[writer] = event.idle;
    else this.ended[writer] = true;
    return this.advance();
  }

  snapshot(): WriterWatermarksSnapshot {
    return {
      watermarks: [...this.watermarks],
      idle: [...this.idle],
      ended: [...this.ended],
      current: this.current,
    };
  }

  /**
   * Continues from a snapshot taken with the same number of writers. Without it a restored reader
   * would wait for a writer whose last watermark or idle marker lies before the restored offset.
   */
  restore(snapshot: WriterWatermarksSnapshot): void {
    const writers = this.watermarks.length;
    if (
      snapshot.watermarks.length !== writers ||
      snapshot.idle.length !== writers ||
      snapshot.ended.length !== writers
    )
      throw new StreamError(
        'ENG_RESTORE_FAILED',
        `the watermarks of ${this.where()} were saved for ${snapshot.watermarks.length} writer tasks, ` +
          `but the job now has ${writers}; restore with the task count the checkpoint was taken with`,
      );
    for (let i = 0; i < writers; i++) {
      this.watermarks[i] = snapshot.watermarks[i];
      this.idle[i] = snapshot.idle[i];
      this.ended[i] = snapshot.ended[i];
    }
    this.current = snapshot.current;
  }

  private advance(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.ended[i] || this.idle[i]) continue;
      active++;
      if (this.watermarks[i] < min) min = this.watermarks[i];
    }
    // No active writer: all ended means the end of time; otherwise idle writers may still write.
    if (active === 0) {
      if (!this.allEnded) return undefined;
      min = MAX_TIMESTAMP;
    }
    if (min <= this.current) return undefined;
    this.current = min;
    return min;
  }

  private where(): string {
    const origin = this.origin;
    return origin === undefined
      ? 'a repartition partition'
      : `partition ${origin.partition} of "${origin.topic}"`;
  }

  private unknownWriter(writer: number): StreamError {
    return new StreamError(
      'ENG_REPARTITION_RECORD_INVALID',
      `${this.where()} has a record from writer task ${writer}, but the job has ${this.watermarks.length} ` +
        'tasks: the topic was written by a run with another task count. Every process of a job must use ' +
        'the same task count; delete the repartition topics when changing it.',
      { details: { ...this.origin, writer } },
    );
  }
}

/** A record for one partition of the repartition topic. */
export interface PartitionRecord {
  readonly partition: number;
  readonly record: RepartitionRecord;
}

export interface WatermarkPublisherOptions {
  /** Encodes for the writing task. */
  readonly encoder: RepartitionEncoder;
  /** How many partitions the repartition topic has (T). */
  readonly partitions: number;
  /** The least time between two watermark writes. */
  readonly intervalMs: number;
  readonly clock: Clock;
}

/**
 * Decides when a writing task writes watermark, idle and end records to every partition of a
 * repartition topic. Call `advance` after producing the data the watermark covers, and `poll` on a timer
 * (at `dueAt`) so a watermark held back by the interval is written later. Idle and end markers are
 * written at once (they are rare); a watermark only when it rose, at most once per `intervalMs`.
 *
 * @example
 * const publisher = new WatermarkPublisher({ encoder, partitions: 4, intervalMs: 200, clock });
 * produce(publisher.advance(1_000)); // 4 records: the first watermark goes at once
 * publisher.advance(1_050);          // []: wait until clock time + 200, then poll()
 */
export class WatermarkPublisher {
  private readonly encoder: RepartitionEncoder;
  private readonly partitions: number;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  private written = Number.NEGATIVE_INFINITY;
  private pending: number | undefined;
  private writtenAt = Number.NEGATIVE_INFINITY;
  private idle = false;
  private ended = false;

  constructor(options: WatermarkPublisherOptions) {
    const { partitions, intervalMs } = options;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new StreamError(
        'ENG_INVALID_ARGUMENT',
        `a repartition topic needs 1 or more partitions, got ${partitions}`,
      );
    if (!(intervalMs >= 0) || !Number.isFinite(intervalMs))
      throw new StreamError(
        'ENG_INVALID_ARGUMENT',
        `the watermark interval must be 0 ms or more, got ${intervalMs}`,
      );
    this.encoder = options.encoder;
    this.partitions = partitions;
    this.intervalMs = intervalMs;
    this.clock = options.clock;
  }

  /** Clock time at which `poll` will write a held-back watermark; undefined when none waits. */
  get dueAt(): number | undefined {
    return this.pending === undefined ? undefined : this.writtenAt + this.intervalMs;
  }

  /** The task's watermark is now `time`; returns the records to write now (often none). */
  advance(time: number): PartitionRecord[] {
    if (this.ended || time <= (this.pending ?? this.written)) return [];
    this.pending = time;
    return this.poll();
  }

  /** Writes the held-back watermark once the interval since the last one has passed. */
  poll(): PartitionRecord[] {
    const time = this.pending;
    if (time === undefined || this.ended || this.clock.now() < this.writtenAt + this.intervalMs) return [];
    this.pending = undefined;
    this.written = time;
    this.writtenAt = this.clock.now();
    return this.toAll(this.encoder.watermark(time));
  }

  /** The task's input went idle (true) or has records again (false); only a change is written. */
  setIdle(idle: boolean): PartitionRecord[] {
    if (this.ended || idle === this.idle) return [];
    this.idle = idle;
    return this.toAll(this.encoder.idle(idle));
  }

  /** The task has written its last record; readers then count it as MAX_TIMESTAMP. */
  end(): PartitionRecord[] {
    if (this.ended) return [];
    this.ended = true;
    this.pending = undefined;
    return this.toAll(this.encoder.end());
  }

  private toAll(record: RepartitionRecord): PartitionRecord[] {
    const records: PartitionRecord[] = new Array(this.partitions);
    for (let partition = 0; partition < this.partitions; partition++)
      records[partition] = { partition, record };
    return records;
  }
}
