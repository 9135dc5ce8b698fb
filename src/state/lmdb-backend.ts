import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { StreamError } from '../common/errors.ts';
import type { BackendSnapshotOptions, KeyedStateBackendOptions } from './backend.ts';
import { keyGroupOf } from './key-groups.ts';
import { mapKeyOf } from './key-identity.ts';
import { ChangeLog } from './lmdb-changes.ts';
import { decodeCell, encodeCell, keyIdOf, keyOfId, LmdbRow, type RecordKey } from './lmdb-records.ts';
import { type LmdbSnapshotHost, LmdbSnapshotRun } from './lmdb-snapshot.ts';
import { RowStateBackend } from './row-backend.ts';
import { OPERATOR_STATE_PREFIX, type SnapshotReader, type SnapshotWriter } from './snapshot-format.ts';
import { cellOfEntry, isStamped, restampCell } from './state-cells.ts';
import type { StateTable } from './state-tables.ts';

export interface LmdbStateBackendOptions extends KeyedStateBackendOptions {
  /** Directory of the lmdb files, emptied on open and removed on dispose. Default: a new temp dir. */
  readonly dir?: string;
  /** Keys kept decoded in memory; changed ones are written to lmdb when evicted. Default 20 000. */
  readonly cacheRows?: number;
  /** Changed keys remembered for incremental snapshots; past this the next one is complete. Default 1 M. */
  readonly maxTrackedChanges?: number;
}

const SWEEP_ROWS = 64;
/** Records restored per lmdb write transaction. */
const RESTORE_BATCH = 20_000;

/**
 * Keyed state in lmdb, for state larger than the heap, with the heap backend's semantics (it shares
 * its rows, handles, TTL and merging). Recently used keys are cached as heap rows; a changed row is
 * written back when evicted. A snapshot's cut opens an lmdb read transaction and notes the cached
 * rows with unwritten changes; both are written asynchronously while processing continues (a noted
 * row is written before anything changes it). Checkpoints may be incremental (BackendSnapshotOptions,
 * docs/internals/state-snapshots.md). The lmdb files are a working copy: durability comes from
 * snapshots (noSync).
 *
 * @example
 * const backend = createLmdbStateBackend({ clock, keyGroups: { start: 0, end: 127 }, maxParallelism: 128 });
 * backend.setCurrentKey('user-1');
 * backend.store().getState({ kind: 'value', name: 'count' }).update(1);
 * backend.dispose();
 * await backend.closed;
 */
export function createLmdbStateBackend(options: LmdbStateBackendOptions): LmdbStateBackend {
  return new LmdbStateBackend(options);
}

export class LmdbStateBackend extends RowStateBackend<LmdbRow> {
  readonly dir: string;
  /** Resolves when the backend was disposed and its files removed. */
  closed: Promise<void> | undefined;
  private readonly db: RootDatabase;
  private readonly cache = new Map<unknown, LmdbRow>();
  private readonly capacity: number;
  private readonly changes: ChangeLog;
  private readonly chainId = randomUUID();
  /** Keys holding records in lmdb (cached rows may differ until written back). */
  private persistedKeys = 0;
  private sweepFrom: unknown[] | undefined;
  private sweepCached: Iterator<LmdbRow> | undefined;
  private readonly writing = new Set<Promise<void>>();
  private running: LmdbSnapshotRun | undefined;
  /** Snapshot periods so far: a row logs its key as changed once per period. */
  private period = 0;
  private disposed = false;
  private readonly host: LmdbSnapshotHost;

  constructor(options: LmdbStateBackendOptions) {
    super(options);
    this.capacity = Math.max(1, options.cacheRows ?? 20_000);
    this.changes = new ChangeLog(options.maxTrackedChanges ?? 1_000_000);
    if (options.dir === undefined) this.dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-'));
    else {
      rmSync(options.dir, { recursive: true, force: true });
      mkdirSync(options.dir, { recursive: true });
      this.dir = options.dir;
    }
    // A working copy rebuilt from snapshots after a failure: no fsync needed.
    this.db = open({
      path: this.dir,
      noSync: true,
      noMetaSync: true,
      encoder: { structuredClone: true, moreTypes: true },
    });
    this.host = {
      db: this.db,
      maxParallelism: this.maxParallelism,
      stateTable: (name) => this.tables.get(name),
      writeCachedRow: (writer, row, cut) => this.writeRow(writer, row, cut),
      checkOpen: () => this.checkOpen(),
    };
  }

  keyCount(): number {
    let count = this.persistedKeys;
    for (const row of this.cache.values()) count += Number(row.count > 0) - Number(row.persisted.length > 0);
    return count;
  }

  /** Drops every expired TTL entry now; returns how many entries were removed. */
  sweepExpired(): number {
    this.flush([...this.cache.values()]);
    let removed = 0;
    const now = this.clock.now();
    for (const [keyGroup, keyId] of this.prefixes(undefined, Number.POSITIVE_INFINITY).found) {
      removed += this.sweepKey(keyGroup, keyId, now);
    }
    return removed;
  }

  /**
   * The consistent cut: an lmdb read transaction, and the cached rows with unwritten changes (see
   * LmdbSnapshotRun); the rest is asynchronous. With a checkpoint id the file joins this backend's
   * incremental chain; with an `incrementalBase` this backend snapshotted itself, only keys changed
   * since then are written (each after a resetKey), else everything.
   */
  snapshot(writer: SnapshotWriter, options?: BackendSnapshotOptions): Promise<void> {
    this.checkOpen();
    this.running?.captureAll();
    const cut = this.clock.now();
    const dirty: LmdbRow[] = [];
    for (const row of this.cache.values()) if (row.dirty) dirty.push(row);
    const txn = this.db.useReadTransaction();
    // Only a writer that can record chain links makes this snapshot a possible base.
    const chained = writer.chain !== undefined && writer.resetKey !== undefined;
    const checkpointId = chained ? options?.checkpointId : undefined;
    const delta = this.changes.cut(checkpointId, options?.incrementalBase);
    if (checkpointId !== undefined) {
      this.period++;
      writer.chain?.({ id: this.chainId, checkpointId, base: delta && options?.incrementalBase });
    }
    // A delta holds the keys changed since its base only; a cached row still waiting to be written back
    // but unchanged since the base is already in the base's files.
    const captured =
      delta === undefined ? dirty : dirty.filter((row) => delta.some((keys) => keys.has(row.keyId)));
    const run = new LmdbSnapshotRun(this.host, writer, cut, txn, captured, delta);
    this.running = run;
    this.beforeAccess = (row) => run.capture(row);
    if (this.row !== undefined) run.capture(this.row);
    const done = run.run().finally(() => {
      this.writing.delete(done);
      if (this.running !== run) return;
      this.running = undefined;
      this.beforeAccess = undefined;
    });
    this.writing.add(done);
    return done;
  }

  restore(reader: SnapshotReader): void {
    this.checkOpen();
    const now = this.clock.now();
    let batch: [RecordKey, unknown][] = [];
    for (const { keyGroup, entry } of reader.keyedEntries()) {
      if (entry.state.startsWith(OPERATOR_STATE_PREFIX)) continue;
      const table = this.tables.restored(entry.state, entry.kind, isStamped(entry));
      const group = this.restoredKeyGroup(entry.key, keyGroup);
      const record = encodeCell(table, cellOfEntry(table, entry, now));
      batch.push([[group, keyIdOf(entry.key), entry.namespace, entry.state], record]);
      if (batch.length === RESTORE_BATCH) batch = this.putAll(batch);
    }
    this.putAll(batch);
    this.cache.clear();
    this.resetCurrentKey();
    this.persistedKeys = this.prefixes(undefined, Number.POSITIVE_INFINITY).found.length;
    this.changes.clear();
  }

  /** Closes lmdb (after running snapshots end) and removes its files; `closed` resolves then. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    this.resetCurrentKey();
    const running = [...this.writing].map((p) => p.catch(() => {}));
    this.closed = Promise.all(running)
      .then(() => this.db.close())
      .then(() => rm(this.dir, { recursive: true, force: true }))
      // Working files only (state lives in snapshots): a failed clean-up must not take the process down.
      .catch(() => {});
  }

  protected findRow(mapKey: unknown, key: unknown): LmdbRow | undefined {
    const cached = this.cache.get(mapKey);
    if (cached !== undefined) {
      cached.referenced = true;
      return cached;
    }
    if (this.disposed) {
      throw new StreamError(
        'ENG_INTERNAL',
        `keyed state was used after its lmdb backend (${this.dir}) was closed`,
      );
    }
    return this.load(mapKey, key, keyGroupOf(key, this.maxParallelism), keyIdOf(key));
  }

  protected newRow(key: unknown, keyGroup: number): LmdbRow {
    return new LmdbRow(key, keyGroup, this.mapKey, keyIdOf(key));
  }

  protected addRow(_mapKey: unknown, row: LmdbRow): void {
    this.insert(row);
  }

  /** An emptied row stays cached until written back, so its records get removed. */
  protected dropRow(): void {}

  protected changed(row: LmdbRow): void {
    row.dirty = true;
    if (row.period === this.period) return;
    row.period = this.period;
    this.changes.add(row.keyId);
  }

  /** A few cached rows (which may not be in lmdb yet), then a few rows from lmdb. */
  protected sweepSome(now: number): void {
    for (let i = 0; i < SWEEP_ROWS; i++) {
      this.sweepCached ??= this.cache.values();
      const next = this.sweepCached.next();
      if (next.done) {
        this.sweepCached = undefined;
        break;
      }
      if (next.value === this.row) continue;
      this.beforeAccess?.(next.value);
      this.sweepRow(next.value.mapKey, next.value, now);
    }
    const { found, next } = this.prefixes(this.sweepFrom, SWEEP_ROWS);
    this.sweepFrom = next;
    for (const [keyGroup, keyId] of found) this.sweepKey(keyGroup, keyId, now);
  }

  protected restamp(table: StateTable, stamped: boolean): void {
    this.running?.captureAll();
    const now = this.clock.now();
    for (const row of this.cache.values()) {
      for (const slots of [row.main, ...(row.named?.values() ?? [])]) {
        const stored = slots.values[table.id];
        if (stored !== undefined) slots.values[table.id] = restampCell(table.kind, stored, stamped, now);
      }
    }
  }

  private load(mapKey: unknown, key: unknown, keyGroup: number, keyId: string | number): LmdbRow | undefined {
    let row: LmdbRow | undefined;
    const now = this.clock.now();
    for (const { key: k, value } of this.db.getRange({ start: [keyGroup, keyId] })) {
      const [group, id, namespace, name] = k as RecordKey;
      if (group !== keyGroup || id !== keyId) break;
      const table = this.tables.get(name);
      if (table === undefined) continue; // every record was written by this instance, so never
      row ??= new LmdbRow(key, keyGroup, mapKey, keyId);
      const slots = row.slotsForWrite(namespace);
      slots.values[table.id] = decodeCell(table, value, now);
      slots.count++;
      row.count++;
      row.persisted.push([namespace, name]);
    }
    if (row !== undefined) this.insert(row);
    return row;
  }

  private insert(row: LmdbRow): void {
    this.cache.set(row.mapKey, row);
    if (this.cache.size > this.capacity) this.evict(this.cache.size - Math.floor(this.capacity * 0.75), row);
  }

  /**
   * Second-chance eviction of `count` rows; never the current one, nor `keep` (the row being inserted,
   * about to become current). Changed rows are written back.
   */
  private evict(count: number, keep: LmdbRow): void {
    const victims: LmdbRow[] = [];
    for (let pass = 0; pass < 2 && victims.length < count; pass++) {
      const spared: LmdbRow[] = [];
      for (const row of this.cache.values()) {
        if (victims.length === count) break;
        if (row === this.row || row === keep) continue;
        if (row.referenced) {
          row.referenced = false;
          spared.push(row);
        } else victims.push(row);
      }
      for (const row of victims) this.cache.delete(row.mapKey);
      // Spared rows go to the back of the queue, as if just used.
      for (const row of spared) {
        this.cache.delete(row.mapKey);
        this.cache.set(row.mapKey, row);
      }
    }
    this.flush(victims);
  }

  /** Writes changed rows back in one transaction. */
  private flush(rows: readonly LmdbRow[]): void {
    if (!rows.some((row) => row.dirty)) return;
    this.db.transactionSync(() => {
      for (const row of rows) if (row.dirty) this.writeBack(row);
    });
  }

  private writeBack(row: LmdbRow): void {
    const { keyGroup, keyId } = row;
    const present: [string, string][] = [];
    for (const [namespace, slots] of [['', row.main] as const, ...(row.named ?? [])]) {
      for (let id = 0; id < slots.values.length; id++) {
        const stored = slots.values[id];
        if (stored === undefined) continue;
        const table = this.tables.list[id];
        this.db.putSync([keyGroup, keyId, namespace, table.name], encodeCell(table, stored));
        present.push([namespace, table.name]);
      }
    }
    if (row.persisted.length > 0) {
      const kept = new Set(present.map(([ns, name]) => `${ns}\u0000${name}`));
      for (const [ns, name] of row.persisted) {
        if (!kept.has(`${ns}\u0000${name}`)) this.db.removeSync([keyGroup, keyId, ns, name]);
      }
    }
    this.persistedKeys += Number(present.length > 0) - Number(row.persisted.length > 0);
    row.persisted = present;
    row.dirty = false;
  }

  private putAll(batch: [RecordKey, unknown][]): [RecordKey, unknown][] {
    if (batch.length === 0) return batch;
    this.db.transactionSync(() => {
      for (const [k, v] of batch) this.db.putSync(k, v);
    });
    return [];
  }

  /** Up to `limit` distinct keys (as [keyGroup, keyId]) from `from` on, and where to go on next time. */
  private prefixes(
    from: unknown[] | undefined,
    limit: number,
  ): { found: [number, string | number][]; next?: unknown[] } {
    const found: [number, string | number][] = [];
    for (const k of this.db.getKeys(from === undefined ? {} : { start: from as RecordKey })) {
      if (!Array.isArray(k)) continue;
      const last = found[found.length - 1];
      if (last !== undefined && last[0] === k[0] && last[1] === k[1]) continue;
      if (found.length === limit) return { found, next: [k[0], k[1]] };
      found.push([k[0] as number, k[1] as string | number]);
    }
    return { found };
  }

  private sweepKey(keyGroup: number, keyId: string | number, now: number): number {
    const key = keyOfId(keyId);
    const mapKey = mapKeyOf(key);
    if (this.row !== undefined && mapKey === this.mapKey) return 0;
    const row = this.cache.get(mapKey) ?? this.load(mapKey, key, keyGroup, keyId);
    if (row === undefined) return 0;
    this.beforeAccess?.(row);
    return this.sweepRow(mapKey, row, now);
  }

  private checkOpen(): void {
    if (this.disposed) {
      throw new StreamError('ENG_CHECKPOINT_FAILED', `the lmdb state backend in ${this.dir} was closed`);
    }
  }
}
