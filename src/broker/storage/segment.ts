// One log segment: `<base>.log` with its `.index` and `.timeindex`. The segment tracks its byte size, next
// offset and largest timestamp in memory; the index files are written whole when it is sealed or closed.

import { type FileHandle, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchFrame } from './batch-frame.ts';
import { isErrno, readAt, removeFile, writeAt } from './file-io.ts';
import { OffsetIndex, TimeIndex } from './segment-index.ts';
import { type ScanChecks, type ScanResult, scanBatches, seekBatch } from './segment-scan.ts';

/** Largest offset distance from a segment's base that its 4-byte relative index entries can hold. */
export const MAX_RELATIVE_OFFSET = 2 ** 31 - 1;

/** `00000000000000001234` for base offset 1234: 20 digits, so names sort like offsets. */
export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** A segment file plus its in-memory indexes. Reads may run concurrently; writes are serialized by the log. */
export class LogSegment {
  readonly baseOffset: number;
  readonly path: string;
  readonly log: FileHandle;
  /** Bytes of whole batches written. */
  size: number;
  /** Offset after the last batch (baseOffset when empty). */
  nextOffset: number;
  /** Largest batch maxTimestamp, or -1. */
  maxTimestamp = -1;
  /** When the segment got its first batch (drives segment.ms), or null while empty. */
  rollTimestamp: number | null = null;
  /** Wall-clock time of the last write, used by time retention when batches carry no timestamps. */
  lastModified: number;
  offsetIndex = new OffsetIndex();
  timeIndex = new TimeIndex();
  private readonly indexInterval: number;
  private bytesSinceIndex = 0;
  /** Base offset of the most recently added batch, or -1 before any (needed by seal). */
  private lastBatchBase = -1;
  private refs = 1;
  private deleted = false;

  private constructor(dir: string, baseOffset: number, log: FileHandle, size: number, indexInterval: number) {
    this.baseOffset = baseOffset;
    this.path = join(dir, segmentName(baseOffset));
    this.log = log;
    this.size = size;
    this.nextOffset = baseOffset;
    this.indexInterval = indexInterval;
    this.lastModified = 0;
  }

  /** Creates an empty segment (replacing a stale file of the same name). */
  static async create(dir: string, baseOffset: number, indexInterval: number): Promise<LogSegment> {
    const fh = await open(join(dir, `${segmentName(baseOffset)}.log`), 'w+');
    const segment = new LogSegment(dir, baseOffset, fh, 0, indexInterval);
    await Promise.all([removeFile(`${segment.path}.index`), removeFile(`${segment.path}.timeindex`)]);
    return segment;
  }

  /**
   * Opens an existing segment file; size and offsets are filled in by recovery or loadIndexes. `fileName`
   * opens another file as this segment (compaction's `.log.cleaned`, renamed to `.log` while open).
   */
  static async open(
    dir: string,
    baseOffset: number,
    indexInterval: number,
    fileName = `${segmentName(baseOffset)}.log`,
  ): Promise<LogSegment> {
    const fh = await open(join(dir, fileName), 'r+');
    const info = await fh.stat();
    const segment = new LogSegment(dir, baseOffset, fh, info.size, indexInterval);
    segment.lastModified = info.mtimeMs;
    return segment;
  }

  /** Records a batch written at `frame.position`: indexes, next offset, size and timestamps. */
  addBatch(frame: BatchFrame): void {
    const rel = frame.baseOffset - this.baseOffset;
    this.maxTimestamp = Math.max(this.maxTimestamp, frame.maxTimestamp);
    if (this.bytesSinceIndex >= this.indexInterval) {
      this.offsetIndex.append(rel, frame.position);
      if (this.maxTimestamp >= 0) this.timeIndex.append(this.maxTimestamp, rel);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += frame.size;
    this.lastBatchBase = frame.baseOffset;
    this.nextOffset = frame.baseOffset + frame.lastOffsetDelta + 1;
    this.size = Math.max(this.size, frame.position + frame.size);
  }

  /** Forgets all batches so a scan can rebuild the indexes from scratch. */
  resetIndexes(): void {
    this.offsetIndex = new OffsetIndex();
    this.timeIndex = new TimeIndex();
    this.bytesSinceIndex = 0;
    this.lastBatchBase = -1;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.size = 0;
  }

  /** Scans [from, to) and adds every valid batch; the caller decides what to do with a problem. */
  scan(from: number, to: number, checks: Omit<ScanChecks, 'minOffset'>): Promise<ScanResult> {
    return scanBatches(this.log, from, to, { ...checks, minOffset: this.nextOffset }, (f) =>
      this.addBatch(f),
    );
  }

  /** Records the final maximum timestamp so a reloaded time index knows the segment's largest timestamp. */
  seal(): void {
    // (segment max, last batch) is a valid entry: every batch up to the last has maxTimestamp <= max.
    if (this.maxTimestamp >= 0 && this.lastBatchBase >= 0) {
      this.timeIndex.append(this.maxTimestamp, this.lastBatchBase - this.baseOffset);
    }
  }

  /** Writes bytes at the end of the segment. The caller then records each batch with addBatch. */
  async write(data: Buffer, now: number): Promise<void> {
    await writeAt(this.log, data, this.size);
    this.lastModified = now;
  }

  /** Reads `length` bytes at `position`. */
  read(position: number, length: number): Promise<Buffer> {
    return readAt(this.log, position, length);
  }

  /** The first batch below byte `limit` whose last offset is >= `offset` (the one holding it), or null. */
  findOffset(offset: number, limit: number): Promise<BatchFrame | null> {
    const from = this.offsetIndex.lookup(offset - this.baseOffset);
    return seekBatch(this.log, from, limit, (f) => f.baseOffset + f.lastOffsetDelta >= offset);
  }

  /** The first batch below byte `limit` with maxTimestamp >= `ts` and records at or above `minOffset`. */
  findTimestamp(ts: number, limit: number, minOffset: number): Promise<BatchFrame | null> {
    const rel = Math.max(this.timeIndex.lookup(ts), minOffset - this.baseOffset);
    const from = this.offsetIndex.lookup(rel);
    return seekBatch(
      this.log,
      from,
      limit,
      (f) => f.maxTimestamp >= ts && f.baseOffset + f.lastOffsetDelta >= minOffset,
    );
  }

  /** Writes both index files whole and fdatasyncs them and the log. */
  async persist(): Promise<void> {
    await this.log.datasync();
    await Promise.all([
      writeWhole(`${this.path}.index`, this.offsetIndex.encode()),
      writeWhole(`${this.path}.timeindex`, this.timeIndex.encode()),
    ]);
  }

  /**
   * Loads the index files of a segment known to hold whole, valid batches up to its file size. Returns
   * false when a file is missing or inconsistent, so the caller rebuilds by scanning.
   */
  async loadIndexes(nextOffset: number | null): Promise<boolean> {
    const relLimit = nextOffset === null ? MAX_RELATIVE_OFFSET : nextOffset - this.baseOffset;
    const [offsets, times] = await Promise.all([
      readWhole(`${this.path}.index`),
      readWhole(`${this.path}.timeindex`),
    ]);
    if (offsets === null || times === null) return false;
    const offsetIndex = OffsetIndex.decode(offsets, this.size, Math.max(relLimit, 1));
    const timeIndex = TimeIndex.decode(times, Math.max(relLimit, 1));
    if (offsetIndex === null || timeIndex === null) return false;
    if (this.size > 0 && nextOffset !== null && timeIndex.length === 0) return false;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.maxTimestamp = timeIndex.maxTimestamp;
    if (nextOffset !== null) this.nextOffset = nextOffset;
    return true;
  }

  /**
   * Re-reads the tail after the last index entry of a loaded segment to learn its next offset and
   * largest timestamp, checking every batch there (including CRCs when given).
   */
  async loadTail(checks: Omit<ScanChecks, 'minOffset'>): Promise<ScanResult> {
    const from = this.offsetIndex.lastPosition;
    const size = this.size;
    this.bytesSinceIndex = 0; // the batch at `from` is already indexed
    const relFirst =
      this.offsetIndex.length === 0 ? 0 : this.offsetIndex.relOffsets[this.offsetIndex.length - 1];
    this.nextOffset = this.baseOffset + relFirst;
    return scanBatches(this.log, from, size, { ...checks, minOffset: this.nextOffset }, (f) =>
      this.addBatch(f),
    );
  }

  /** Cuts the file (and the in-memory size) to `position`, used when recovery finds a torn tail. */
  async truncate(position: number): Promise<void> {
    await this.log.truncate(position);
    this.size = position;
  }

  /** Whether delete() or close() was called. */
  get isDeleted(): boolean {
    return this.deleted;
  }

  /** Pins the file handle open while an async operation uses it. Only for a segment known to be live. */
  retain(): void {
    this.refs++;
  }

  /** Pins the handle unless the segment was deleted or closed meanwhile; returns whether it did. */
  tryRetain(): boolean {
    if (this.deleted) return false;
    this.refs++;
    return true;
  }

  /** Unpins; the handle closes once the segment is closed or deleted and no read uses it. */
  async release(): Promise<void> {
    this.refs--;
    if (this.refs === 0) await this.log.close();
  }

  /** Removes the files now (open handles keep working) and closes the handle when the last reader leaves. */
  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await Promise.all(['.log', '.index', '.timeindex'].map((ext) => removeFile(`${this.path}${ext}`)));
    await this.release();
  }

  /** Drops the log's own reference. */
  async close(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await this.release();
  }
}

async function writeWhole(path: string, data: Buffer): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await writeAt(fh, data, 0);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

async function readWhole(path: string): Promise<Buffer | null> {
  try {
    const info = await stat(path);
    const fh = await open(path, 'r');
    try {
      return await readAt(fh, 0, info.size);
    } finally {
      await fh.close();
    }
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}
