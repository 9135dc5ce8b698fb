// The durable log of one topic-partition: a directory of segments, appended to in order, read by offset.
// Appends are serialized (one writer); reads run concurrently against the byte ranges already written.
// See docs/internals/storage.md for the layout, the durability modes and recovery.

import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { StreamError } from '../../common/errors.ts';
import { type BatchFrame, type Crc32c, frameBatches, setBatchBaseOffset } from './batch-frame.ts';
import { syncDir } from './file-io.ts';
import { GroupCommit } from './group-commit.ts';
import { type LogCheckpoint, readCheckpoint, writeCheckpoint } from './log-checkpoint.ts';
import type { LogConfig } from './log-config.ts';
import { findTimestamp, type ReadMark, readBatches } from './log-read.ts';
import { loadSegments, type RecoveryReport } from './log-recovery.ts';
import { segmentsBelow, segmentsToDelete } from './log-retention.ts';
import { LogSegment, MAX_RELATIVE_OFFSET } from './segment.ts';
import { cleanedSegmentPath, SwapError, type SwapHooks, swapInCleaned } from './segment-swap.ts';
import { SerialQueue } from './serial-queue.ts';

/** How to open a partition log. */
export interface PartitionLogOptions {
  config: LogConfig;
  /** CRC-32C used to validate batches during recovery. */
  crc32c: Crc32c;
  /** Wall clock in ms (injectable for tests). */
  clock?: () => number;
}

/** Per-append choices. */
export interface AppendOptions {
  /** Resolve only after fdatasync (acks=all). Defaults to the log's durability mode being `fsync`. */
  sync?: boolean;
}

/**
 * Lets a caller check and update its own state atomically with an append (producer state for idempotence
 * and transactions): both methods run under the log's append lock, so no other append interleaves.
 */
export interface AppendGuard {
  /** Before anything is written; `nextOffset` is the offset the first batch would get. False skips the write. */
  admit(nextOffset: number): boolean;
  /**
   * Right after the write, in the same synchronous step that moves the log end offset. `segmentBaseOffset`
   * is the active segment's base: equal to `result.baseOffset` when this append started a new segment.
   */
  appended(result: AppendResult, segmentBaseOffset: number): void;
}

/** Offsets given to an append. */
export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** Broker wall-clock time of the append (Kafka reports it for LogAppendTime topics). */
  logAppendTime: number;
}

/** An append that is written but whose flush may still be pending (see PartitionLog.appendStaged). */
export interface StagedAppend {
  result: AppendResult;
  /**
   * Settles once the append is durable under the log's durability mode (the group commit's fdatasync in
   * `fsync` mode), rejecting as append would; null when there is nothing to wait for (`os` mode).
   */
  durable: Promise<void> | null;
}

/** A closed segment as compaction sees it (see PartitionLog.closedSegments). */
export interface ClosedSegment {
  baseOffset: number;
  /** Offset after its last batch: the next segment's base offset. */
  nextOffset: number;
  size: number;
  /** Largest batch timestamp, or -1 when batches carry none. */
  maxTimestamp: number;
  /** File modification time (ms). */
  lastModified: number;
}

/** Bytes returned by a read, plus the log's bounds at the time of the read. */
export interface ReadResult {
  /** Whole batches, possibly empty; the first one holds the fetch offset. */
  records: Buffer;
  /** The fetch offset was below the log start or above the log end (Kafka OFFSET_OUT_OF_RANGE). */
  outOfRange: boolean;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * One topic-partition's log.
 *
 * @example
 * const log = await PartitionLog.open('/data/orders-0', { config: DEFAULT_LOG_CONFIG, crc32c });
 * const { baseOffset } = await log.append(batchBytes);
 * const { records } = await log.read(baseOffset, 1 << 20);
 */
export class PartitionLog {
  readonly dir: string;
  /** What the last open found and repaired. */
  readonly recovery: RecoveryReport;
  private config: LogConfig;
  private readonly clock: () => number;
  private readonly segments: LogSegment[];
  private leo: number;
  private hw: ReadMark;
  private startOffset: number;
  private recoveryPoint: number;
  private cleanMarkerOnDisk: boolean;
  /** Serializes appends, rolls, retention and close. */
  private readonly writes = new SerialQueue();
  /** Serializes checkpoint file writes (they come from writes and from background segment flushes). */
  private readonly checkpoints = new SerialQueue();
  /** Flushes of rolled segments, run off the append path as Kafka does. */
  private readonly background = new SerialQueue();
  private readonly dirty = new Set<LogSegment>();
  private readonly commit = new GroupCommit(() => this.flushDirty());
  private failure: StreamError | null = null;
  private closed = false;
  /** Bumped when compaction starts swapping segments; reads that overlap a swap read again. */
  private swapGeneration = 0;
  private swapping: Promise<void> | null = null;

  private constructor(
    dir: string,
    options: PartitionLogOptions,
    segments: LogSegment[],
    report: RecoveryReport,
    checkpoint: LogCheckpoint | null,
  ) {
    this.dir = dir;
    this.config = options.config;
    this.clock = options.clock ?? Date.now;
    this.segments = segments;
    this.recovery = report;
    const active = this.active;
    this.leo = active.nextOffset;
    this.hw = { offset: this.leo, segment: active, bytes: active.size };
    this.startOffset = Math.min(Math.max(checkpoint?.logStartOffset ?? 0, segments[0].baseOffset), this.leo);
    this.recoveryPoint = active.baseOffset;
    this.cleanMarkerOnDisk = report.cleanShutdown;
  }

  /** Opens the log in `dir` (created if missing), recovering after an unclean stop. */
  static async open(dir: string, options: PartitionLogOptions): Promise<PartitionLog> {
    await mkdir(dir, { recursive: true });
    const checkpoint = await readCheckpoint(dir);
    const loaded = await loadSegments(dir, checkpoint, {
      crc32c: options.crc32c,
      indexIntervalBytes: options.config.indexIntervalBytes,
    });
    const log = new PartitionLog(dir, options, loaded.segments, loaded.report, checkpoint);
    // Recovered bytes may sit only in the page cache of the dead process's writes: flush before trusting
    // them (the high watermark starts at the log end) and before moving the recovery point past them.
    for (const segment of loaded.recovered) {
      if (segment === log.active) await segment.log.datasync();
      else {
        segment.seal();
        await segment.persist();
      }
    }
    if (checkpoint === null || loaded.recovered.length > 0) await log.saveCheckpoint();
    return log;
  }

  /** Offset the next appended record gets. */
  get logEndOffset(): number {
    return this.leo;
  }

  /** Offsets below this are readable; in `fsync` mode they are also on disk. */
  get highWatermark(): number {
    return this.hw.offset;
  }

  /** First readable offset. */
  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Bytes of all segments. */
  get sizeInBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  /** Base offsets of the segments, oldest first (for tools and tests). */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** The config in force. */
  get currentConfig(): Readonly<LogConfig> {
    return this.config;
  }

  /** Replaces the config; a new index interval applies to segments created afterwards. */
  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Appends one or more concatenated RecordBatch v2 batches, rewriting their base offsets in place (the
   * caller's buffer is modified). Resolves after write() or, with `sync`, after fdatasync.
   */
  async append(batches: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    return (await this.appendIf(batches, null, options)) as AppendResult;
  }

  /** Like append, but only when `guard` admits it (see AppendGuard); null when it did not (no wait). */
  async appendIf(
    batches: Buffer,
    guard: AppendGuard | null,
    options: AppendOptions = {},
  ): Promise<AppendResult | null> {
    const frames = frameBatches(batches);
    const result = await this.writes.run(() => this.appendLocked(batches, frames, guard));
    if (result === null) return null;
    const fsyncLog = this.config.durability === 'fsync';
    if (options.sync ?? fsyncLog) await this.commit.sync();
    else if (fsyncLog) {
      // The high watermark waits for the flush even when this caller does not; flushDirty records failures.
      this.commit.sync().catch(() => undefined);
    }
    return result;
  }

  /**
   * Like appendIf, but resolves as soon as the batches are written (or declined), handing back the wait
   * for their flush separately: a caller can do its next ordered step (the next request's append) while
   * this one waits, so one fdatasync covers both. The high watermark still moves only after the flush.
   */
  async appendStaged(batches: Buffer, guard: AppendGuard | null): Promise<StagedAppend | null> {
    const frames = frameBatches(batches);
    const result = await this.writes.run(() => this.appendLocked(batches, frames, guard));
    if (result === null) return null;
    return { result, durable: this.config.durability === 'fsync' ? this.commit.sync() : null };
  }

  /** Group-commit flushes started so far (one fdatasync round each); for stats and tests. */
  get flushCount(): number {
    return this.commit.flushes;
  }

  private async appendLocked(
    batches: Buffer,
    frames: BatchFrame[],
    guard: AppendGuard | null,
  ): Promise<AppendResult | null> {
    this.checkWritable();
    if (guard !== null && !guard.admit(this.leo)) return null;
    if (this.cleanMarkerOnDisk) await this.saveCheckpoint(); // the clean marker must go before the tail changes
    const now = this.clock();
    const count = frames.reduce((sum, f) => sum + f.lastOffsetDelta + 1, 0);
    let active = this.active;
    if (this.shouldRoll(active, batches.length, this.leo + count - 1, now)) active = await this.roll();
    const baseOffset = this.leo;
    let next = baseOffset;
    for (const frame of frames) {
      setBatchBaseOffset(batches, frame.position, next);
      frame.baseOffset = next;
      next += frame.lastOffsetDelta + 1;
    }
    const position = active.size;
    try {
      await active.write(batches, now);
    } catch (error) {
      throw this.fail(error);
    }
    for (const frame of frames) active.addBatch({ ...frame, position: position + frame.position });
    active.rollTimestamp ??= now;
    this.leo = next;
    this.dirty.add(active);
    if (this.config.durability === 'os') this.hw = { offset: next, segment: active, bytes: active.size };
    const result = { baseOffset, lastOffset: next - 1, logAppendTime: now };
    guard?.appended(result, active.baseOffset);
    return result;
  }

  private shouldRoll(active: LogSegment, bytes: number, lastOffset: number, now: number): boolean {
    if (active.size === 0) return false; // an oversized batch still goes into an empty segment
    if (active.size + bytes > this.config.segmentBytes) return true;
    if (active.rollTimestamp !== null && now - active.rollTimestamp > this.config.segmentMs) return true;
    return lastOffset - active.baseOffset > MAX_RELATIVE_OFFSET;
  }

  /** Starts a new active segment; the old one is flushed and its indexes written in the background. */
  private async roll(): Promise<LogSegment> {
    const old = this.active;
    old.seal();
    const segment = await LogSegment.create(this.dir, this.leo, this.config.indexIntervalBytes);
    // In fsync mode acked data may soon live in this file, so its name must be durable first.
    if (this.config.durability === 'fsync') await syncDir(this.dir);
    this.segments.push(segment);
    old.retain();
    this.inBackground(async () => {
      try {
        if (!old.isDeleted) await old.persist();
      } finally {
        await old.release();
      }
      this.recoveryPoint = Math.max(this.recoveryPoint, segment.baseOffset);
      await this.saveCheckpoint();
    });
    return segment;
  }

  /**
   * Reads whole batches starting with the one that holds `fetchOffset` (even if the offset is inside it),
   * up to `maxBytes` but always at least that first batch (KIP-74). Data comes from one segment per call,
   * read with one positional file read. By default stops at the high watermark; `maxOffset` lowers that
   * bound (e.g. to the last stable offset; it must fall on a batch boundary) or raises it up to the log end.
   */
  async read(
    fetchOffset: number,
    maxBytes: number,
    options: { maxOffset?: number } = {},
  ): Promise<ReadResult> {
    for (;;) {
      const generation = this.swapGeneration;
      const result = await this.readOnce(fetchOffset, maxBytes, options);
      if (generation === this.swapGeneration && this.swapping === null) return result;
      // A compaction swap ran meanwhile: a replaced segment may have been skipped, so read again.
      await this.swapping;
    }
  }

  private async readOnce(
    fetchOffset: number,
    maxBytes: number,
    options: { maxOffset?: number },
  ): Promise<ReadResult> {
    if (this.closed) throw new StreamError('BRK_STORAGE_CLOSED', `partition log ${this.dir} is closed`);
    const mark = this.hw;
    const bounds = { highWatermark: mark.offset, logStartOffset: this.startOffset, logEndOffset: this.leo };
    if (fetchOffset < this.startOffset || fetchOffset > this.leo)
      return { ...bounds, records: EMPTY, outOfRange: true };
    const maxOffset = Math.min(options.maxOffset ?? mark.offset, this.leo);
    const records = await readBatches(this.segments, fetchOffset, maxBytes, mark, maxOffset);
    return { ...bounds, records: records ?? EMPTY, outOfRange: false };
  }

  /**
   * The first batch whose maxTimestamp is >= `ts` (Kafka ListOffsets by time), or null. The answer is at
   * batch granularity: the caller decodes the batch (read(offset, 1)) to find the exact record.
   */
  async offsetForTimestamp(ts: number): Promise<{ offset: number; maxTimestamp: number } | null> {
    for (;;) {
      const generation = this.swapGeneration;
      const found = await findTimestamp(this.segments, ts, this.hw, this.startOffset);
      if (generation === this.swapGeneration && this.swapping === null) return found;
      await this.swapping; // see read()
    }
  }

  /** Moves the log start offset up to `offset` (Kafka DeleteRecords) and drops segments wholly below it. */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.writes.run(async () => {
      this.checkWritable();
      if (!Number.isSafeInteger(offset) || offset > this.hw.offset) {
        throw new StreamError(
          'BRK_LOG_OFFSET_OUT_OF_RANGE',
          `cannot delete records before ${offset}: the high watermark is ${this.hw.offset}`,
        );
      }
      if (offset <= this.startOffset) return this.startOffset;
      this.startOffset = offset;
      await this.removeOldest(segmentsBelow(this.stats(), offset));
      return this.startOffset;
    });
  }

  /**
   * Deletes whole segments past `retention.ms` / `retention.bytes`, oldest first, and moves the log start
   * offset. Returns the number of segments deleted. An expired active segment is rolled first.
   */
  applyRetention(now = this.clock()): Promise<number> {
    return this.writes.run(async () => {
      this.checkWritable();
      // cleanup.policy=compact alone keeps data forever; only `delete` (or compact,delete) expires it.
      const deletes = this.config.cleanupDelete !== false;
      const input = {
        retentionMs: deletes ? this.config.retentionMs : -1,
        retentionBytes: deletes ? this.config.retentionBytes : -1,
        now,
        highWatermark: this.hw.offset,
        logStartOffset: this.startOffset,
      };
      const count = segmentsToDelete(this.stats(), input);
      if (count === 0) return 0;
      if (count === this.segments.length) await this.roll();
      await this.removeOldest(count);
      return count;
    });
  }

  /**
   * The closed segments compaction may rewrite, oldest first: every segment before the active one and
   * before the one holding the high watermark, so all of their data is durable and readable.
   */
  closedSegments(): ClosedSegment[] {
    const out: ClosedSegment[] = [];
    for (let i = 0; i < this.segments.length - 1; i++) {
      const s = this.segments[i];
      // Segments are contiguous, so a closed one ends where the next begins (even when compaction emptied it).
      const nextOffset = this.segments[i + 1].baseOffset;
      if (s === this.hw.segment || nextOffset > this.hw.offset) break;
      const { baseOffset, size, maxTimestamp, lastModified } = s;
      out.push({ baseOffset, nextOffset, size, maxTimestamp, lastModified });
    }
    return out;
  }

  /**
   * Creates the `.cleaned` file compaction writes a group into. Under the append lock, so a log that was
   * closed (its topic deleted) never gets a new file while its directory is being removed.
   */
  createCleanedFile(baseOffset: number): Promise<FileHandle> {
    return this.writes.run(async () => {
      this.checkWritable();
      return open(cleanedSegmentPath(this.dir, baseOffset), 'w');
    });
  }

  /**
   * Swaps a cleaned segment (from openCleanedSegment) in for the contiguous closed segments based at
   * `replaced` (compaction; see segment-swap.ts for the crash protocol). Resolves false, discarding
   * nothing, when those segments are no longer all there and closed (retention ran meanwhile): the caller
   * then discards the cleaned segment. Reads in flight keep their segments open and read again after.
   */
  replaceSegments(replaced: readonly number[], cleaned: LogSegment, hooks?: SwapHooks): Promise<boolean> {
    return this.writes.run(async () => {
      this.checkWritable();
      const first = this.segments.findIndex((s) => s.baseOffset === replaced[0]);
      const old = first < 0 ? [] : this.segments.slice(first, first + replaced.length);
      const closed = new Set(this.closedSegments().map((s) => s.baseOffset));
      const unchanged =
        old.length === replaced.length &&
        old.every((s, i) => s.baseOffset === replaced[i] && closed.has(s.baseOffset)) &&
        cleaned.baseOffset === replaced[0];
      if (!unchanged) return false;
      await this.background.idle(); // a pending index write must not recreate files of a replaced segment
      let done = (): void => undefined;
      this.swapping = new Promise((resolve) => {
        done = resolve;
      });
      this.swapGeneration++;
      try {
        await swapInCleaned(this.dir, old, cleaned, hooks);
        this.segments.splice(first, old.length, cleaned);
        for (const s of old) this.dirty.delete(s);
        return true;
      } catch (error) {
        // After the commit point memory and files disagree; a restart finishes the swap from the files.
        if (error instanceof SwapError && error.committed) throw this.fail(error.cause);
        throw error instanceof SwapError ? error.cause : error;
      } finally {
        this.swapping = null;
        done();
      }
    });
  }

  private stats() {
    return this.segments.map((s) => ({
      baseOffset: s.baseOffset,
      nextOffset: s.nextOffset,
      size: s.size,
      timestamp: s.maxTimestamp >= 0 ? s.maxTimestamp : s.lastModified,
    }));
  }

  private async removeOldest(count: number): Promise<void> {
    await this.background.idle(); // a pending index write must not recreate files of a deleted segment
    const removed = this.segments.splice(0, count);
    this.startOffset = Math.max(this.startOffset, this.segments[0].baseOffset);
    await this.saveCheckpoint(); // start offset first: a crash before the unlinks leaves files open() ignores
    for (const segment of removed) {
      this.dirty.delete(segment); // deleted data needs no flush
      await segment.delete();
    }
  }

  /** Waits for pending segment flushes and rewrites the checkpoint (for periodic checkpointing). */
  checkpoint(): Promise<void> {
    return this.writes.run(async () => {
      this.checkWritable();
      await this.background.idle();
      await this.saveCheckpoint();
    });
  }

  /** Resolves when everything appended so far is on disk. */
  async flush(): Promise<void> {
    this.checkWritable();
    await this.commit.sync();
  }

  /** Flushes, writes indexes and a clean-shutdown checkpoint, and closes the files. */
  close(): Promise<void> {
    return this.writes.run(async () => {
      if (this.closed) return;
      await this.background.idle();
      if (this.failure === null) {
        await this.commit.sync();
        const active = this.active;
        await active.persist();
        this.recoveryPoint = this.leo;
        const clean = {
          activeBaseOffset: active.baseOffset,
          activeSize: active.size,
          logEndOffset: this.leo,
        };
        await this.saveCheckpoint(clean);
      }
      this.closed = true;
      for (const segment of this.segments) await segment.close();
    });
  }

  private async flushDirty(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    // Everything counted in leo was written before this point, so this flush makes it durable.
    const target: ReadMark = { offset: this.leo, segment: this.active, bytes: this.active.size };
    const segments = [...this.dirty];
    this.dirty.clear();
    for (const s of segments) s.retain();
    try {
      await Promise.all(segments.map((s) => s.log.datasync()));
    } catch (error) {
      throw this.fail(error);
    } finally {
      await Promise.all(segments.map((s) => s.release()));
    }
    if (target.offset > this.hw.offset) this.hw = target;
  }

  private saveCheckpoint(clean?: LogCheckpoint['clean']): Promise<void> {
    return this.checkpoints.run(() => {
      this.cleanMarkerOnDisk = clean !== undefined;
      const checkpoint: LogCheckpoint = {
        recoveryPoint: this.recoveryPoint,
        logStartOffset: this.startOffset,
      };
      return writeCheckpoint(this.dir, clean === undefined ? checkpoint : { ...checkpoint, clean });
    });
  }

  private inBackground(task: () => Promise<void>): void {
    this.background.run(task).catch((error: unknown) => {
      this.fail(error);
    });
  }

  private checkWritable(): void {
    if (this.closed) throw new StreamError('BRK_STORAGE_CLOSED', `partition log ${this.dir} is closed`);
    if (this.failure !== null) throw this.failure;
  }

  /** Marks the log failed after an I/O error: after a failed fsync the page cache can no longer be trusted. */
  private fail(error: unknown): StreamError {
    this.failure ??= new StreamError(
      'BRK_STORAGE_IO',
      `partition log ${this.dir} stopped after an I/O error (${error instanceof Error ? error.message : String(error)}); ` +
        'fix the disk and restart the broker, which recovers the log from its files',
      { cause: error },
    );
    return this.failure;
  }
}
