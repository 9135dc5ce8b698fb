import { StreamError } from '../common/errors.ts';
import type { Clock } from '../common/time.ts';
import type { StateDescriptor } from '../plan/state.ts';
import type { BackendSnapshotOptions, KeyedStateBackend, KeyedStateBackendOptions } from './backend.ts';
import type { CellAccess } from './heap-handles.ts';
import { mergeStored } from './heap-merge.ts';
import { DEFAULT_NAMESPACE, type KeyRow, type Slots } from './heap-rows.ts';
import { HeapStore } from './heap-store.ts';
import { sweepSlots } from './heap-sweep.ts';
import { type KeyGroupRange, keyGroupOf } from './key-groups.ts';
import { mapKeyOf } from './key-identity.ts';
import type { SnapshotReader, SnapshotWriter } from './snapshot-format.ts';
import { entryOfCell } from './state-cells.ts';
import { type StateTable, StateTables } from './state-tables.ts';

const NO_KEY = Symbol('no key');
/** Every this many writes to TTL state, a few rows are swept for expired entries. */
const SWEEP_EVERY = 1_024;
/** Namespace stores are cached for speed; past this many the cache starts over. */
const MAX_CACHED_STORES = 4_096;

/**
 * What the heap and lmdb backends share: rows of the current key (KeyRow: one slot array per
 * namespace, indexed by state id), state tables, handles, namespaces, merging and TTL sweeps. A
 * subclass says where rows live (findRow/addRow/dropRow), how they are swept and counted, and how
 * snapshots and restores work.
 */
export abstract class RowStateBackend<R extends KeyRow = KeyRow> implements KeyedStateBackend, CellAccess {
  readonly clock: Clock;
  readonly keyGroups: KeyGroupRange;
  readonly maxParallelism: number;
  protected readonly tables = new StateTables((table, stamped) => this.restamp(table, stamped));
  private readonly stores = new Map<string, HeapStore>();
  protected key: unknown = NO_KEY;
  protected mapKey: unknown;
  protected row: R | undefined;
  /** Set while something must see each row before it is used (the heap's running snapshot). */
  protected beforeAccess: ((row: R) => void) | undefined;
  private ttlWrites = 0;

  constructor(options: KeyedStateBackendOptions) {
    this.clock = options.clock;
    this.keyGroups = options.keyGroups;
    this.maxParallelism = options.maxParallelism;
  }

  /** The row of a key, if it holds state. */
  protected abstract findRow(mapKey: unknown, key: unknown): R | undefined;
  protected abstract newRow(key: unknown, keyGroup: number): R;
  protected abstract addRow(mapKey: unknown, row: R): void;
  /** The row holds no value any more. */
  protected abstract dropRow(mapKey: unknown, row: R): void;
  /** The row's values changed (put, remove, in-place change, merge, sweep). */
  protected abstract changed(row: R): void;
  /** Sweeps a few rows for expired TTL entries (every SWEEP_EVERY TTL writes). */
  protected abstract sweepSome(now: number): void;
  /** Converts every stored value of a state between plain and stamped (its TTL was added/removed). */
  protected abstract restamp(table: StateTable, stamped: boolean): void;
  abstract keyCount(): number;
  abstract snapshot(writer: SnapshotWriter, options?: BackendSnapshotOptions): void | Promise<void>;
  abstract restore(reader: SnapshotReader): void | Promise<void>;
  abstract dispose(): void;

  setCurrentKey(key: unknown): void {
    if (key === this.key) return;
    this.key = key;
    this.mapKey = mapKeyOf(key);
    const row = this.findRow(this.mapKey, key);
    this.row = row;
    if (row !== undefined && this.beforeAccess !== undefined) this.beforeAccess(row);
  }

  currentKey(): unknown {
    return this.key === NO_KEY ? undefined : this.key;
  }

  store(namespace: string = DEFAULT_NAMESPACE): HeapStore {
    let store = this.stores.get(namespace);
    if (store === undefined) {
      if (this.stores.size >= MAX_CACHED_STORES) this.stores.clear();
      store = new HeapStore(this, namespace);
      this.stores.set(namespace, store);
    }
    return store;
  }

  clearNamespace(namespace: string): void {
    const row = this.row;
    const slots = row?.slots(namespace);
    if (row === undefined || slots === undefined || slots.count === 0) return;
    row.count -= slots.count;
    if (namespace === DEFAULT_NAMESPACE) {
      slots.values.length = 0;
      slots.count = 0;
    } else row.named?.delete(namespace);
    this.changed(row);
    if (row.count === 0) this.dropRow(this.mapKey, row);
  }

  /**
   * Moves the current key's state of each `sources` namespace into `target` (see mergeStored for how
   * each kind combines), then clears the sources. Session windows use it when windows merge.
   */
  mergeNamespaces(target: string, sources: readonly string[]): void {
    const now = this.clock.now();
    for (const source of sources) {
      if (source === target) continue;
      const slots = this.row?.slots(source);
      if (slots === undefined) continue;
      for (let id = 0; id < slots.values.length; id++) {
        const stored = slots.values[id];
        if (stored === undefined) continue;
        const merged = mergeStored(this.tables.list[id], this.get(id, target), stored, now);
        if (merged === undefined) this.remove(id, target);
        else this.put(id, target, merged);
      }
      this.clearNamespace(source);
    }
  }

  /** The table for a descriptor, registering it on first use. */
  table(descriptor: StateDescriptor): StateTable {
    return this.tables.register(descriptor);
  }

  get(id: number, namespace: string): unknown {
    const row = this.row;
    if (row === undefined) return undefined;
    const slots = namespace === DEFAULT_NAMESPACE ? row.main : row.named?.get(namespace);
    return slots === undefined ? undefined : slots.values[id];
  }

  put(id: number, namespace: string, stored: unknown): void {
    const row = this.row ?? this.createRow();
    const slots = row.slotsForWrite(namespace);
    if (slots.values[id] === undefined) {
      slots.count++;
      row.count++;
    }
    slots.values[id] = stored;
    this.changed(row);
  }

  remove(id: number, namespace: string): void {
    const row = this.row;
    const slots = row?.slots(namespace);
    if (row === undefined || slots === undefined || slots.values[id] === undefined) return;
    this.dropValue(this.mapKey, row, namespace, slots, id);
  }

  dirty(_id: number, _namespace: string): void {
    if (this.row !== undefined) this.changed(this.row);
  }

  ttlWrite(): void {
    if (++this.ttlWrites % SWEEP_EVERY === 0) this.sweepSome(this.clock.now());
  }

  /** Forgets the looked-up current key and row (rows were replaced or dropped under them). */
  protected resetCurrentKey(): void {
    this.key = NO_KEY;
    this.row = undefined;
  }

  /** Writes a row's present values (expired TTL entries left out) to a snapshot. */
  protected writeRow(writer: SnapshotWriter, row: KeyRow, cut: number): void {
    this.writeSlots(writer, row, DEFAULT_NAMESPACE, row.main, cut);
    if (row.named !== undefined)
      for (const [ns, slots] of row.named) this.writeSlots(writer, row, ns, slots, cut);
  }

  protected sweepRow(mapKey: unknown, row: R, now: number): number {
    const tables = this.tables.list;
    const drop = (namespace: string, slots: Slots) => (id: number) =>
      this.dropValue(mapKey, row, namespace, slots, id);
    let removed = sweepSlots(row.main, tables, now, drop(DEFAULT_NAMESPACE, row.main));
    if (row.named !== undefined) {
      for (const [namespace, slots] of row.named)
        removed += sweepSlots(slots, tables, now, drop(namespace, slots));
    }
    if (removed > 0) this.changed(row);
    return removed;
  }

  /** Checks that a restored key belongs here (same key group as written, one this subtask owns). */
  protected restoredKeyGroup(key: unknown, written: number): number {
    const keyGroup = keyGroupOf(key, this.maxParallelism);
    if (keyGroup !== written || keyGroup < this.keyGroups.start || keyGroup > this.keyGroups.end) {
      throw new StreamError(
        'ENG_RESTORE_FAILED',
        `restored key ${String(key)} was written in key group ${written}, but belongs to key group ${keyGroup} here, and this subtask owns ${this.keyGroups.start}-${this.keyGroups.end}; restore with the maxParallelism the snapshot was taken with`,
        { details: { keyGroup, written, range: this.keyGroups } },
      );
    }
    return keyGroup;
  }

  private writeSlots(
    writer: SnapshotWriter,
    row: KeyRow,
    namespace: string,
    slots: Slots,
    cut: number,
  ): void {
    const values = slots.values;
    for (let id = 0; id < values.length; id++) {
      if (values[id] === undefined) continue;
      const entry = entryOfCell(this.tables.list[id], row.key, namespace, values[id], cut);
      if (entry !== undefined) writer.keyedEntry(row.keyGroup, entry);
    }
  }

  private createRow(): R {
    if (this.key === NO_KEY) {
      throw new StreamError(
        'ENG_STATE_WITHOUT_KEY',
        'keyed state was written while no key is set; write state in processElement or onTimer, not in open()',
      );
    }
    const keyGroup = keyGroupOf(this.key, this.maxParallelism);
    if (keyGroup < this.keyGroups.start || keyGroup > this.keyGroups.end) {
      throw new StreamError(
        'ENG_KEY_GROUP_OUT_OF_RANGE',
        `key ${String(this.key)} belongs to key group ${keyGroup}, outside this subtask's ${this.keyGroups.start}-${this.keyGroups.end}`,
        { details: { keyGroup, range: this.keyGroups } },
      );
    }
    const row = this.newRow(this.key, keyGroup);
    this.addRow(this.mapKey, row);
    this.row = row;
    return row;
  }

  private dropValue(mapKey: unknown, row: R, namespace: string, slots: Slots, id: number): void {
    slots.values[id] = undefined;
    slots.count--;
    row.count--;
    if (slots.count === 0 && namespace !== DEFAULT_NAMESPACE) row.named?.delete(namespace);
    this.changed(row);
    if (row.count === 0) this.dropRow(mapKey, row);
  }
}
