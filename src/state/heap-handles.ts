import { StreamError } from '../common/errors.ts';
import type { Clock } from '../common/time.ts';
import type {
  AggregateFunction,
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../plan/state.ts';
import { isExpired, TtlCell, type TtlPolicy } from './ttl.ts';

/** What a state handle needs of the backend: the current key's stored value per (state id, namespace). */
export interface CellAccess {
  readonly clock: Clock;
  get(id: number, namespace: string): unknown;
  /** `stored` is never undefined (undefined means absent). */
  put(id: number, namespace: string, stored: unknown): void;
  remove(id: number, namespace: string): void;
  /**
   * The stored value was changed in place (a list element added, a map entry set, a TTL stamp
   * refreshed). The heap keeps live objects and ignores it; a backend that caches rows writes them back.
   */
  dirty(id: number, namespace: string): void;
  /** Called after each write to a state with TTL; drives the incremental sweep. */
  ttlWrite(): void;
}

const EMPTY: readonly unknown[] = Object.freeze([]);

/** Fields every handle shares: which state, which namespace, and its TTL (if any). */
class Handle {
  protected readonly access: CellAccess;
  protected readonly id: number;
  protected readonly ns: string;
  protected readonly ttl: TtlPolicy | undefined;

  constructor(access: CellAccess, id: number, ns: string, ttl: TtlPolicy | undefined) {
    this.access = access;
    this.id = id;
    this.ns = ns;
    this.ttl = ttl;
  }

  clear(): void {
    this.access.remove(this.id, this.ns);
  }

  /** A single-cell state's value as a reader sees it (expired: cleaned up, then hidden or returned). */
  protected readSingle(stored: unknown): unknown {
    const ttl = this.ttl;
    if (ttl === undefined || stored === undefined) return stored;
    const cell = stored as TtlCell;
    const now = this.access.clock.now();
    if (isExpired(cell, ttl, now)) {
      this.access.remove(this.id, this.ns);
      return ttl.returnExpired ? cell.value : undefined;
    }
    if (ttl.refreshOnRead) {
      cell.stamp = now;
      this.access.dirty(this.id, this.ns);
    }
    return cell.value;
  }

  /** The live value for a read-modify-write: expired values never feed a new one. */
  protected liveSingle(): unknown {
    const stored = this.access.get(this.id, this.ns);
    if (this.ttl === undefined || stored === undefined) return stored;
    const cell = stored as TtlCell;
    return isExpired(cell, this.ttl, this.access.clock.now()) ? undefined : cell.value;
  }

  protected writeSingle(value: unknown): void {
    if (value === undefined) {
      this.clear();
      return;
    }
    if (this.ttl === undefined) {
      this.access.put(this.id, this.ns, value);
      return;
    }
    const now = this.access.clock.now();
    const stored = this.access.get(this.id, this.ns);
    if (stored instanceof TtlCell) {
      stored.value = value;
      stored.stamp = now;
      this.access.dirty(this.id, this.ns);
    } else this.access.put(this.id, this.ns, new TtlCell(value, now));
    this.access.ttlWrite();
  }
}

export class HeapValueState extends Handle implements ValueState<unknown> {
  private readonly fallback: unknown;

  constructor(access: CellAccess, id: number, ns: string, ttl: TtlPolicy | undefined, fallback: unknown) {
    super(access, id, ns, ttl);
    this.fallback = fallback;
  }

  value(): unknown {
    const value = this.readSingle(this.access.get(this.id, this.ns));
    return value === undefined ? this.fallback : value;
  }

  update(value: unknown): void {
    this.writeSingle(value);
  }
}

export class HeapReducingState extends Handle implements ReducingState<unknown> {
  private readonly reduce: (a: unknown, b: unknown) => unknown;

  constructor(
    access: CellAccess,
    id: number,
    ns: string,
    ttl: TtlPolicy | undefined,
    reduce: (a: unknown, b: unknown) => unknown,
  ) {
    super(access, id, ns, ttl);
    this.reduce = reduce;
  }

  get(): unknown {
    return this.readSingle(this.access.get(this.id, this.ns));
  }

  add(value: unknown): void {
    const current = this.liveSingle();
    this.writeSingle(current === undefined ? value : this.reduce(current, value));
  }
}

export class HeapAggregatingState extends Handle implements AggregatingState<unknown, unknown> {
  private readonly fn: AggregateFunction<unknown, unknown, unknown>;

  constructor(
    access: CellAccess,
    id: number,
    ns: string,
    ttl: TtlPolicy | undefined,
    fn: AggregateFunction<unknown, unknown, unknown>,
  ) {
    super(access, id, ns, ttl);
    this.fn = fn;
  }

  get(): unknown {
    const acc = this.readSingle(this.access.get(this.id, this.ns));
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }

  add(value: unknown): void {
    const current = this.liveSingle();
    this.writeSingle(this.fn.add(value, current === undefined ? this.fn.createAccumulator() : current));
  }
}

/** With TTL each element carries its own stamp (as in Flink), so old elements expire one by one. */
export class HeapListState extends Handle implements ListState<unknown> {
  /** The stored array itself when there is no TTL: a live view, copy it to keep it. */
  get(): readonly unknown[] {
    const stored = this.access.get(this.id, this.ns) as unknown[] | undefined;
    if (stored === undefined) return EMPTY;
    const ttl = this.ttl;
    if (ttl === undefined) return stored;
    const now = this.access.clock.now();
    const live: TtlCell[] = [];
    const out: unknown[] = [];
    for (const cell of stored as TtlCell[]) {
      if (isExpired(cell, ttl, now)) {
        if (ttl.returnExpired) out.push(cell.value);
        continue;
      }
      if (ttl.refreshOnRead) cell.stamp = now;
      live.push(cell);
      out.push(cell.value);
    }
    if (live.length === 0) this.clear();
    else if (live.length !== stored.length) this.access.put(this.id, this.ns, live);
    else if (ttl.refreshOnRead) this.access.dirty(this.id, this.ns);
    return out;
  }

  add(value: unknown): void {
    if (value === undefined)
      throw new StreamError('ENG_INVALID_ARGUMENT', 'list state cannot hold undefined');
    const element = this.ttl === undefined ? value : new TtlCell(value, this.access.clock.now());
    const stored = this.access.get(this.id, this.ns) as unknown[] | undefined;
    if (stored === undefined) this.access.put(this.id, this.ns, [element]);
    else {
      stored.push(element);
      this.access.dirty(this.id, this.ns);
    }
    if (this.ttl !== undefined) this.access.ttlWrite();
  }

  addAll(values: readonly unknown[]): void {
    for (const value of values) this.add(value);
  }

  update(values: readonly unknown[]): void {
    this.clear();
    this.addAll(values);
  }
}

/** Map keys compare as JavaScript Map keys do (objects by identity). With TTL, each entry expires alone. */
export class HeapMapState extends Handle implements MapState<unknown, unknown> {
  private stored(): Map<unknown, unknown> | undefined {
    return this.access.get(this.id, this.ns) as Map<unknown, unknown> | undefined;
  }

  /** An entry's value for a reader, or `missing` when absent (or expired and hidden). */
  private read(map: Map<unknown, unknown>, key: unknown, missing: unknown): unknown {
    if (!map.has(key)) return missing;
    const value = map.get(key);
    const ttl = this.ttl;
    if (ttl === undefined) return value;
    const cell = value as TtlCell;
    const now = this.access.clock.now();
    if (isExpired(cell, ttl, now)) {
      map.delete(key);
      if (map.size === 0) this.clear();
      else this.access.dirty(this.id, this.ns);
      return ttl.returnExpired ? cell.value : missing;
    }
    if (ttl.refreshOnRead) {
      cell.stamp = now;
      this.access.dirty(this.id, this.ns);
    }
    return cell.value;
  }

  get(key: unknown): unknown {
    const map = this.stored();
    return map === undefined ? undefined : this.read(map, key, undefined);
  }

  has(key: unknown): boolean {
    const map = this.stored();
    return map !== undefined && this.read(map, key, MISSING) !== MISSING;
  }

  put(key: unknown, value: unknown): void {
    let map = this.stored();
    if (map === undefined) {
      map = new Map();
      this.access.put(this.id, this.ns, map);
    }
    map.set(key, this.ttl === undefined ? value : new TtlCell(value, this.access.clock.now()));
    this.access.dirty(this.id, this.ns);
    if (this.ttl !== undefined) this.access.ttlWrite();
  }

  delete(key: unknown): void {
    const map = this.stored();
    if (map === undefined || !map.delete(key)) return;
    if (map.size === 0) this.clear();
    else this.access.dirty(this.id, this.ns);
  }

  *entries(): IterableIterator<[unknown, unknown]> {
    const map = this.stored();
    if (map === undefined) return;
    if (this.ttl === undefined) {
      yield* map.entries();
      return;
    }
    for (const key of [...map.keys()]) {
      const value = this.read(map, key, MISSING);
      if (value !== MISSING) yield [key, value];
    }
  }

  *keys(): IterableIterator<unknown> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<unknown> {
    for (const [, value] of this.entries()) yield value;
  }

  isEmpty(): boolean {
    for (const _ of this.entries()) return false;
    return true;
  }
}

const MISSING = Symbol('missing');
