// Sparse per-segment indexes, held in memory and written to disk whole when a segment is sealed or the log
// closes. They are a cache: on load they are checked against the segment and rebuilt by a scan if anything
// looks wrong. File layouts match Kafka's sizes: `.index` 8-byte entries (relative offset int32, position
// int32), `.timeindex` 12-byte entries (timestamp int64, relative offset int32), big-endian.

const OFFSET_ENTRY = 8;
const TIME_ENTRY = 12;
const TWO_32 = 2 ** 32;

/** Index entry: the batch whose base offset is `relOffset` above the segment's base starts at `position`. */
export class OffsetIndex {
  readonly relOffsets: number[] = [];
  readonly positions: number[] = [];

  get length(): number {
    return this.relOffsets.length;
  }

  /** Adds an entry; entries that do not increase both keys are ignored (they add nothing). */
  append(relOffset: number, position: number): void {
    const n = this.relOffsets.length;
    if (n > 0 && (relOffset <= this.relOffsets[n - 1] || position <= this.positions[n - 1])) return;
    this.relOffsets.push(relOffset);
    this.positions.push(position);
  }

  /** File position of the last indexed batch starting at or below `relOffset` (0 when none). */
  lookup(relOffset: number): number {
    const i = lastAtOrBelow(this.relOffsets, relOffset);
    return i < 0 ? 0 : this.positions[i];
  }

  /** Position of the last entry, or 0 for an empty index. */
  get lastPosition(): number {
    return this.positions.length === 0 ? 0 : this.positions[this.positions.length - 1];
  }

  encode(): Buffer {
    const buf = Buffer.allocUnsafe(this.length * OFFSET_ENTRY);
    for (let i = 0; i < this.length; i++) {
      buf.writeInt32BE(this.relOffsets[i], i * OFFSET_ENTRY);
      buf.writeInt32BE(this.positions[i], i * OFFSET_ENTRY + 4);
    }
    return buf;
  }

  /**
   * Parses an index file, or returns null if it cannot belong to a segment of `segmentSize` bytes spanning
   * relative offsets below `relLimit` (torn length, keys not increasing, positions past the end).
   */
  static decode(buf: Buffer, segmentSize: number, relLimit: number): OffsetIndex | null {
    if (buf.length % OFFSET_ENTRY !== 0) return null;
    const index = new OffsetIndex();
    for (let at = 0; at < buf.length; at += OFFSET_ENTRY) {
      const rel = buf.readInt32BE(at);
      const pos = buf.readInt32BE(at + 4);
      const n = index.length;
      if (rel < 0 || rel >= relLimit || pos < 0 || pos >= segmentSize) return null;
      if (n > 0 && (rel <= index.relOffsets[n - 1] || pos <= index.positions[n - 1])) return null;
      index.relOffsets.push(rel);
      index.positions.push(pos);
    }
    return index;
  }
}

/**
 * Time index entry (T, R): every batch of the segment up to and including the one based at relative offset
 * R has maxTimestamp <= T. T strictly increases, so a search for the first batch with timestamp >= ts can
 * start at the R of the last entry whose T < ts.
 */
export class TimeIndex {
  readonly timestamps: number[] = [];
  readonly relOffsets: number[] = [];

  get length(): number {
    return this.timestamps.length;
  }

  /** Adds an entry when it raises the maximum timestamp; others carry no information. */
  append(timestamp: number, relOffset: number): void {
    const n = this.timestamps.length;
    if (n > 0 && (timestamp <= this.timestamps[n - 1] || relOffset < this.relOffsets[n - 1])) return;
    this.timestamps.push(timestamp);
    this.relOffsets.push(relOffset);
  }

  /** Relative offset to start scanning from to find the first batch with maxTimestamp >= ts. */
  lookup(ts: number): number {
    const i = lastBelow(this.timestamps, ts);
    return i < 0 ? 0 : this.relOffsets[i];
  }

  /** Largest timestamp recorded, or -1 for an empty index. */
  get maxTimestamp(): number {
    return this.timestamps.length === 0 ? -1 : this.timestamps[this.timestamps.length - 1];
  }

  encode(): Buffer {
    const buf = Buffer.allocUnsafe(this.length * TIME_ENTRY);
    for (let i = 0; i < this.length; i++) {
      const ts = this.timestamps[i];
      buf.writeInt32BE(Math.floor(ts / TWO_32), i * TIME_ENTRY);
      buf.writeUInt32BE(((ts % TWO_32) + TWO_32) % TWO_32, i * TIME_ENTRY + 4);
      buf.writeInt32BE(this.relOffsets[i], i * TIME_ENTRY + 8);
    }
    return buf;
  }

  /** Parses a time index file, or null if inconsistent (see OffsetIndex.decode). */
  static decode(buf: Buffer, relLimit: number): TimeIndex | null {
    if (buf.length % TIME_ENTRY !== 0) return null;
    const index = new TimeIndex();
    for (let at = 0; at < buf.length; at += TIME_ENTRY) {
      const ts = buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
      const rel = buf.readInt32BE(at + 8);
      const n = index.length;
      if (rel < 0 || rel >= relLimit) return null;
      if (n > 0 && (ts <= index.timestamps[n - 1] || rel < index.relOffsets[n - 1])) return null;
      index.timestamps.push(ts);
      index.relOffsets.push(rel);
    }
    return index;
  }
}

/** Index of the last element <= key in an ascending array, or -1. */
function lastAtOrBelow(sorted: readonly number[], key: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Index of the last element < key in an ascending array, or -1. */
function lastBelow(sorted: readonly number[], key: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
