import { StreamError } from '../common/errors.ts';
import type { Clock } from '../common/time.ts';
import type { StateDescriptor, StateTtlConfig } from '../plan/state.ts';
import type { KeyedStateBackend, KeyedStateBackendOptions } from './backend.ts';
import type { CellAccess } from './heap-handles.ts';
import { mergeStored, type StateTable } from './heap-merge.ts';
import { DEFAULT_NAMESPACE, KeyRow, type Slots } from './heap-rows.ts';
import { HeapStore } from './heap-store.ts';
import { sweepSlots } from './heap-sweep.ts';
import { type KeyGroupRange, keyGroupOf } from './key-groups.ts';
import { mapKeyOf } from './key-identity.ts';
import { ttlPolicyOf } from './ttl.ts';

const NO_KEY = Symbol('no key');
/** Every this many writes to TTL state, this many rows are swept for expired entries. */
const SWEEP_EVERY = 1_024;
const SWEEP_ROWS = 64;
/** Namespace stores are cached for speed; past this many the cache starts over. */
const MAX_CACHED_STORES = 4_096;

/**
 * Keyed state in JavaScript Maps: one row per key, recording the key's key group so a snapshot can be
 * written (and restored) one key group at a time.
 *
 * @example
 * const backend = createHeapStateBackend({ clock, keyGroups: { start: 0, end: 127 }, maxParallelism: 128 });
 * backend.setCurrentKey('user-1');
 * backend.store().getState({ kind: 'value', name: 'count' }).update(1);
 */
export function createHeapStateBackend(options: KeyedStateBackendOptions): HeapStateBackend {
  return new HeapStateBackend(options);
}

export class HeapStateBackend implements KeyedStateBackend, CellAccess {
  readonly clock: Clock;
  private readonly keyGroups: KeyGroupRange;
  private readonly maxParallelism: number;
  private readonly rows = new Map<unknown, KeyRow>();
  private readonly tables: StateTable[] = [];
  private readonly tablesByName = new Map<string, StateTable>();
  private readonly stores = new Map<string, HeapStore>();
  private key: unknown = NO_KEY;
  private mapKey: unknown;
  private row: KeyRow | undefined;
  private ttlWrites = 0;
  private sweepCursor: Iterator<[unknown, KeyRow]> | undefined;

  constructor(options: KeyedStateBackendOptions) {
    this.clock = options.clock;
    this.keyGroups = options.keyGroups;
    this.maxParallelism = options.maxParallelism;
  }

  setCurrentKey(key: unknown): void {
    if (key === this.key) return;
    this.key = key;
    this.mapKey = mapKeyOf(key);
    this.row = this.rows.get(this.mapKey);
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
    if (row === undefined || slots === undefined) return;
    row.count -= slots.count;
    if (namespace === DEFAULT_NAMESPACE) {
      slots.values.length = 0;
      slots.count = 0;
    } else row.named?.delete(namespace);
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
        const merged = mergeStored(this.tables[id], this.get(id, target), stored, now);
        if (merged === undefined) this.remove(id, target);
        else this.put(id, target, merged);
      }
      this.clearNamespace(source);
    }
  }

  keyCount(): number {
    return this.rows.size;
  }

  /** Drops every expired TTL entry now; returns how many entries were removed. */
  sweepExpired(): number {
    let removed = 0;
    const now = this.clock.now();
    for (const [mapKey, row] of this.rows) removed += this.sweepRow(mapKey, row, now);
    return removed;
  }

  dispose(): void {
    this.rows.clear();
    this.stores.clear();
    this.row = undefined;
    this.key = NO_KEY;
  }

  /** The table for a descriptor, registering it on first use. */
  table(descriptor: StateDescriptor): StateTable {
    const known = this.tablesByName.get(descriptor.name);
    if (known !== undefined) {
      if (known.descriptor.kind !== descriptor.kind || !sameTtl(known.descriptor.ttl, descriptor.ttl)) {
        throw new StreamError(
          'ENG_STATE_DESCRIPTOR_CONFLICT',
          `state "${descriptor.name}" is used as ${describe(known.descriptor)} and as ${describe(descriptor)}; give each state its own name`,
          { details: { state: descriptor.name } },
        );
      }
      return known;
    }
    const table = { id: this.tables.length, descriptor, ttl: ttlPolicyOf(descriptor.name, descriptor.ttl) };
    this.tables.push(table);
    this.tablesByName.set(descriptor.name, table);
    return table;
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
  }

  remove(id: number, namespace: string): void {
    const row = this.row;
    const slots = row?.slots(namespace);
    if (row === undefined || slots === undefined || slots.values[id] === undefined) return;
    this.dropValue(this.mapKey, row, namespace, slots, id);
  }

  ttlWrite(): void {
    if (++this.ttlWrites % SWEEP_EVERY !== 0) return;
    const now = this.clock.now();
    for (let i = 0; i < SWEEP_ROWS; i++) {
      this.sweepCursor ??= this.rows.entries();
      const next = this.sweepCursor.next();
      if (next.done) {
        this.sweepCursor = undefined;
        return;
      }
      const [mapKey, row] = next.value;
      if (row !== this.row) this.sweepRow(mapKey, row, now);
    }
  }

  private createRow(): KeyRow {
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
    const row = new KeyRow(this.key, keyGroup);
    this.rows.set(this.mapKey, row);
    this.row = row;
    return row;
  }

  private dropValue(mapKey: unknown, row: KeyRow, namespace: string, slots: Slots, id: number): void {
    slots.values[id] = undefined;
    slots.count--;
    row.count--;
    if (slots.count === 0 && namespace !== DEFAULT_NAMESPACE) row.named?.delete(namespace);
    if (row.count === 0) this.dropRow(mapKey, row);
  }

  private dropRow(mapKey: unknown, row: KeyRow): void {
    this.rows.delete(mapKey);
    if (this.row === row) this.row = undefined;
  }

  private sweepRow(mapKey: unknown, row: KeyRow, now: number): number {
    let removed = sweepSlots(row.main, this.tables, now, (id) =>
      this.dropValue(mapKey, row, DEFAULT_NAMESPACE, row.main, id),
    );
    if (row.named !== undefined) {
      for (const [namespace, slots] of row.named) {
        removed += sweepSlots(slots, this.tables, now, (id) =>
          this.dropValue(mapKey, row, namespace, slots, id),
        );
      }
    }
    return removed;
  }
}

function sameTtl(a: StateTtlConfig | undefined, b: StateTtlConfig | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ttl === b.ttl && a.updateOn === b.updateOn && a.visibility === b.visibility;
}

function describe(descriptor: StateDescriptor): string {
  const ttl = descriptor.ttl === undefined ? '' : ` with a TTL of ${descriptor.ttl.ttl} ms`;
  return `${descriptor.kind} state${ttl}`;
}
