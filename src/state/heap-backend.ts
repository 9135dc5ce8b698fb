import { setImmediate as nextTurn } from 'node:timers/promises';
import { StreamError } from '../common/errors.ts';
import type { KeyedStateBackendOptions } from './backend.ts';
import { KeyRow } from './heap-rows.ts';
import { mapKeyOf } from './key-identity.ts';
import { RowStateBackend } from './row-backend.ts';
import { OPERATOR_STATE_PREFIX, type SnapshotReader, type SnapshotWriter } from './snapshot-format.ts';
import { cellOfEntry, isStamped, restampCell } from './state-cells.ts';
import type { StateTable } from './state-tables.ts';

/** Rows checked per incremental TTL sweep. */
const SWEEP_ROWS = 64;
/** The asynchronous part of a snapshot writes rows for about this long before it lets others run. */
const SLICE_MS = 2;

/** A heap row remembers the snapshot epoch it was created in and the last one it was written to. */
class HeapRow extends KeyRow {
  readonly bornEpoch: number;
  snapEpoch = 0;

  constructor(key: unknown, keyGroup: number, bornEpoch: number) {
    super(key, keyGroup);
    this.bornEpoch = bornEpoch;
  }
}

/** A snapshot being written: rows existing at the cut that were not written yet are still due. */
interface RunningSnapshot {
  readonly epoch: number;
  readonly cut: number;
  readonly writer: SnapshotWriter;
  readonly rows: Iterator<HeapRow>;
  disposed: boolean;
}

/**
 * Keyed state in JavaScript Maps: one row per key, recording the key's key group so a snapshot can be
 * written (and restored) one key group at a time.
 *
 * Snapshots are copy-on-touch: `snapshot()` only marks the cut (a new epoch) and writes the current
 * row; the rest is written asynchronously while processing goes on, and a row that existed at the cut
 * is written (serialized) just before anything touches it, so what is written is the state as of the
 * cut even though handles and user code change values in place. Rows created after the cut are skipped.
 *
 * @example
 * const backend = createHeapStateBackend({ clock, keyGroups: { start: 0, end: 127 }, maxParallelism: 128 });
 * backend.setCurrentKey('user-1');
 * backend.store().getState({ kind: 'value', name: 'count' }).update(1);
 */
export function createHeapStateBackend(options: KeyedStateBackendOptions): HeapStateBackend {
  return new HeapStateBackend(options);
}

export class HeapStateBackend extends RowStateBackend<HeapRow> {
  private readonly rows = new Map<unknown, HeapRow>();
  private sweepCursor: Iterator<[unknown, HeapRow]> | undefined;
  private epoch = 0;
  private running: RunningSnapshot | undefined;

  keyCount(): number {
    return this.rows.size;
  }

  /** Drops every expired TTL entry now; returns how many entries were removed. */
  sweepExpired(): number {
    let removed = 0;
    const now = this.clock.now();
    for (const [mapKey, row] of this.rows) {
      this.beforeAccess?.(row);
      removed += this.sweepRow(mapKey, row, now);
    }
    return removed;
  }

  /**
   * Marks the cut and writes the rest asynchronously (see the class comment); the promise resolves
   * when every row is written. A snapshot still running when the next one starts is completed first,
   * synchronously. Heap snapshots are always complete (never incremental).
   */
  snapshot(writer: SnapshotWriter): Promise<void> {
    this.completeRunning();
    const run: RunningSnapshot = {
      epoch: ++this.epoch,
      cut: this.clock.now(),
      writer,
      rows: this.rows.values(),
      disposed: false,
    };
    this.running = run;
    this.beforeAccess = (row) => this.capture(row, run);
    if (this.row !== undefined) this.capture(this.row, run);
    return this.drive(run);
  }

  restore(reader: SnapshotReader): void {
    const now = this.clock.now();
    for (const { keyGroup, entry } of reader.keyedEntries()) {
      if (entry.state.startsWith(OPERATOR_STATE_PREFIX)) continue;
      const table = this.tables.restored(entry.state, entry.kind, isStamped(entry));
      const mapKey = mapKeyOf(entry.key);
      let row = this.rows.get(mapKey);
      if (row === undefined) {
        row = this.newRow(entry.key, this.restoredKeyGroup(entry.key, keyGroup));
        this.rows.set(mapKey, row);
      }
      const slots = row.slotsForWrite(entry.namespace);
      if (slots.values[table.id] === undefined) {
        slots.count++;
        row.count++;
      }
      slots.values[table.id] = cellOfEntry(table, entry, now);
    }
    this.resetCurrentKey();
  }

  dispose(): void {
    if (this.running !== undefined) this.running.disposed = true;
    this.running = undefined;
    this.beforeAccess = undefined;
    this.rows.clear();
    this.resetCurrentKey();
  }

  protected findRow(mapKey: unknown): HeapRow | undefined {
    return this.rows.get(mapKey);
  }

  protected newRow(key: unknown, keyGroup: number): HeapRow {
    return new HeapRow(key, keyGroup, this.epoch);
  }

  protected addRow(mapKey: unknown, row: HeapRow): void {
    this.rows.set(mapKey, row);
  }

  protected dropRow(mapKey: unknown, row: HeapRow): void {
    this.rows.delete(mapKey);
    if (this.row === row) this.row = undefined;
  }

  protected changed(): void {}

  protected sweepSome(now: number): void {
    for (let i = 0; i < SWEEP_ROWS; i++) {
      this.sweepCursor ??= this.rows.entries();
      const next = this.sweepCursor.next();
      if (next.done) {
        this.sweepCursor = undefined;
        return;
      }
      const [mapKey, row] = next.value;
      if (row === this.row) continue;
      this.beforeAccess?.(row);
      this.sweepRow(mapKey, row, now);
    }
  }

  protected restamp(table: StateTable, stamped: boolean): void {
    const now = this.clock.now();
    for (const row of this.rows.values()) {
      for (const slots of [row.main, ...(row.named?.values() ?? [])]) {
        const stored = slots.values[table.id];
        if (stored !== undefined) slots.values[table.id] = restampCell(table.kind, stored, stamped, now);
      }
    }
  }

  /** Writes a row to the running snapshot unless it was written already or is newer than the cut. */
  private capture(row: HeapRow, run: RunningSnapshot): void {
    if (row.snapEpoch >= run.epoch || row.bornEpoch >= run.epoch) return;
    row.snapEpoch = run.epoch;
    this.writeRow(run.writer, row, run.cut);
  }

  private async drive(run: RunningSnapshot): Promise<void> {
    for (;;) {
      // Yield first, so the barrier's pause is only the cut itself.
      await run.writer.drain?.();
      await nextTurn();
      if (run.disposed) {
        throw new StreamError(
          'ENG_CHECKPOINT_FAILED',
          'the keyed state backend was closed while its snapshot was being written',
        );
      }
      if (this.running !== run) return; // completed synchronously by the next snapshot
      if (this.writeSlice(run)) {
        this.endRun(run);
        return;
      }
    }
  }

  /** Writes rows for about SLICE_MS; true when every row is done. */
  private writeSlice(run: RunningSnapshot): boolean {
    const deadline = performance.now() + SLICE_MS;
    for (let n = 1; ; n++) {
      const next = run.rows.next();
      if (next.done) return true;
      this.capture(next.value, run);
      if (n % 256 === 0 && performance.now() > deadline) return false;
    }
  }

  private completeRunning(): void {
    const run = this.running;
    if (run === undefined) return;
    for (let next = run.rows.next(); !next.done; next = run.rows.next()) this.capture(next.value, run);
    this.endRun(run);
  }

  private endRun(run: RunningSnapshot): void {
    if (this.running !== run) return;
    this.running = undefined;
    this.beforeAccess = undefined;
  }
}
