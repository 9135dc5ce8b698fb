import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RootDatabase, Transaction } from 'lmdb';
import type { KeyRow } from './heap-rows.ts';
import { keyGroupOf } from './key-groups.ts';
import { decodeCell, keyOfId, type LmdbRow, type RecordKey } from './lmdb-records.ts';
import type { SnapshotWriter } from './snapshot-format.ts';
import { entryOfCell } from './state-cells.ts';
import type { StateTable } from './state-tables.ts';

/** Records (or cached rows) written between pauses that let processing go on. */
const SLICE = 4_096;

/** What a snapshot run needs of the lmdb backend. */
export interface LmdbSnapshotHost {
  readonly db: RootDatabase;
  readonly maxParallelism: number;
  stateTable(name: string): StateTable | undefined;
  writeCachedRow(writer: SnapshotWriter, row: KeyRow, cut: number): void;
  /** Throws when the backend was closed meanwhile. */
  checkOpen(): void;
}

/**
 * One lmdb snapshot after its cut. Keys whose cached row had unwritten changes at the cut are written
 * from that row (copy-on-touch, like the heap: the backend calls capture() before anything changes a
 * pending row); every other key is read from the read transaction opened at the cut. With `delta`
 * (incremental) only those keys are written, each after a resetKey.
 */
export class LmdbSnapshotRun {
  private readonly host: LmdbSnapshotHost;
  private readonly writer: SnapshotWriter;
  private readonly cut: number;
  private readonly txn: Transaction;
  private readonly pending: LmdbRow[];
  /** Keys written from the cache: their records in the transaction are older than the cut. */
  private readonly fromCache = new Set<string | number>();
  /** The keys changed since the base, as possibly overlapping sets (see ChangeLog.cut). */
  private readonly delta: readonly Set<string | number>[] | undefined;

  constructor(
    host: LmdbSnapshotHost,
    writer: SnapshotWriter,
    cut: number,
    txn: Transaction,
    dirty: LmdbRow[],
    delta: readonly Set<string | number>[] | undefined,
  ) {
    this.host = host;
    this.writer = writer;
    this.cut = cut;
    this.txn = txn;
    this.pending = dirty;
    this.delta = delta;
    for (const row of dirty) {
      row.pending = this;
      this.fromCache.add(row.keyId);
    }
  }

  /** Writes a pending row as it was at the cut, once; the backend calls it before changing the row. */
  capture(row: LmdbRow): void {
    if (row.pending !== this) return;
    row.pending = undefined;
    if (this.delta !== undefined) this.writer.resetKey?.(row.keyGroup, row.key);
    this.host.writeCachedRow(this.writer, row, this.cut);
  }

  /** Captures every pending row now (a new snapshot starts, or the backend is about to close). */
  captureAll(): void {
    for (const row of this.pending) this.capture(row);
    this.pending.length = 0;
  }

  async run(): Promise<void> {
    try {
      let written = 0;
      const pause = async () => {
        if (++written % SLICE !== 0) return;
        await this.writer.drain?.();
        await nextTurn();
        this.host.checkOpen();
      };
      for (const row of this.pending) {
        this.capture(row);
        await pause();
      }
      this.pending.length = 0;
      if (this.delta === undefined) {
        for (const { key, value } of this.host.db.getRange({ transaction: this.txn })) {
          const record = key as RecordKey;
          if (Array.isArray(record) && !this.fromCache.has(record[1])) this.writeRecord(record, value);
          await pause();
        }
        return;
      }
      const seen = this.delta.length > 1 ? new Set<string | number>() : undefined;
      for (const changes of this.delta) {
        for (const keyId of changes) {
          if (this.fromCache.has(keyId) || seen?.has(keyId)) continue;
          seen?.add(keyId);
          this.writeKey(keyId);
          await pause();
        }
      }
    } finally {
      this.txn.done();
    }
  }

  /** A changed key as of the cut: reset, then its records (none if it lost all its state). */
  private writeKey(keyId: string | number): void {
    const key = keyOfId(keyId);
    const keyGroup = keyGroupOf(key, this.host.maxParallelism);
    this.writer.resetKey?.(keyGroup, key);
    for (const { key: k, value } of this.host.db.getRange({
      start: [keyGroup, keyId],
      transaction: this.txn,
    })) {
      const record = k as RecordKey;
      if (record[0] !== keyGroup || record[1] !== keyId) break;
      this.writeRecord(record, value);
    }
  }

  private writeRecord([keyGroup, keyId, namespace, name]: RecordKey, value: unknown): void {
    const table = this.host.stateTable(name);
    if (table === undefined) return;
    const cut = this.cut;
    const entry = entryOfCell(table, keyOfId(keyId), namespace, decodeCell(table, value, cut), cut);
    if (entry !== undefined) this.writer.keyedEntry(keyGroup, entry);
  }
}
