import { KeyRow } from './heap-rows.ts';
import type { StateTable } from './state-tables.ts';
import { TtlCell } from './ttl.ts';

/** The snapshot a row still has to be written to (lmdb-snapshot.ts); only its identity matters here. */
interface PendingSnapshot {
  capture(row: LmdbRow): void;
}

/**
 * How the lmdb backend lays out state. One record per (key, namespace, state):
 *
 *   key   [keyGroup, keyId, namespace, stateName]   (lmdb's ordered-binary array keys)
 *   value [STAMPED | PLAIN, payload]                (lmdb's msgpack, structured-clone mode)
 *
 * so a key group, and within it a key, is one contiguous range. The payload is the cell as the heap
 * holds it, with TtlCells as [value, stamp] pairs; the flag lets a record written before a TTL was
 * added or removed be read either way.
 */
export type RecordKey = [number, string | number, string, string];

const PLAIN = 0;
const STAMPED = 1;

/**
 * A key as an lmdb key component. Finite numbers and ordinary strings are used as they are; anything
 * else becomes a string starting with \u0001 (lmdb keys cannot hold \u0000). Keys that look alike
 * (the same JSON) get the same id, as they share a row on the heap.
 */
export function keyIdOf(key: unknown): string | number {
  switch (typeof key) {
    case 'number':
      if (Object.is(key, -0)) return 0;
      return Number.isFinite(key) ? key : `\u0001n${key}`;
    case 'string':
      return key.includes('\u0000') || key.startsWith('\u0001') ? `\u0001s${JSON.stringify(key)}` : key;
    case 'undefined':
      return '\u0001u';
    case 'bigint':
      return `\u0001b${key}`;
    default:
      return `\u0001j${JSON.stringify(key)}`;
  }
}

/** The key of an id: primitives exactly, objects and arrays as their JSON parses back. */
export function keyOfId(id: string | number): unknown {
  if (typeof id === 'number' || !id.startsWith('\u0001')) return id;
  const body = id.slice(2);
  switch (id[1]) {
    case 'n':
      return Number(body);
    case 'u':
      return undefined;
    case 'b':
      return BigInt(body);
    default:
      return JSON.parse(body);
  }
}

/** The record value of a stored cell. */
export function encodeCell(table: StateTable, stored: unknown): unknown {
  if (!table.stamped) return [PLAIN, stored];
  const pair = (cell: TtlCell) => [cell.value, cell.stamp];
  switch (table.kind) {
    case 'list':
      return [STAMPED, (stored as TtlCell[]).map(pair)];
    case 'map': {
      const map = new Map<unknown, unknown>();
      for (const [k, cell] of stored as Map<unknown, TtlCell>) map.set(k, pair(cell));
      return [STAMPED, map];
    }
    default:
      return [STAMPED, pair(stored as TtlCell)];
  }
}

/** The stored cell of a record value, in the table's current form (stamped `now` if it had none). */
export function decodeCell(table: StateTable, record: unknown, now: number): unknown {
  const [flag, payload] = record as [number, unknown];
  const stamped = table.stamped;
  const cell = (value: unknown) => {
    if (flag === PLAIN) return stamped ? new TtlCell(value, now) : value;
    const [v, stamp] = value as [unknown, number];
    return stamped ? new TtlCell(v, stamp) : v;
  };
  switch (table.kind) {
    case 'list':
      return flag === PLAIN && !stamped ? payload : (payload as unknown[]).map(cell);
    case 'map': {
      if (flag === PLAIN && !stamped) return payload;
      const map = new Map<unknown, unknown>();
      for (const [k, v] of payload as Map<unknown, unknown>) map.set(k, cell(v));
      return map;
    }
    default:
      return cell(payload);
  }
}

/** A cached row of the lmdb backend: the heap's row plus what lmdb holds of it. */
export class LmdbRow extends KeyRow {
  readonly mapKey: unknown;
  readonly keyId: string | number;
  /** [namespace, state] of the records lmdb holds for this key (as loaded or last written). */
  persisted: [string, string][] = [];
  /** Changed since loaded or last written back. */
  dirty = false;
  /** The snapshot period in which its key was last logged as changed (for incremental snapshots). */
  period = -1;
  /** Set while a snapshot's cut found it dirty and has not written it yet. */
  pending: PendingSnapshot | undefined;
  /** Used again since it was cached or last spared (second-chance eviction; new rows are at the back). */
  referenced = false;

  constructor(key: unknown, keyGroup: number, mapKey: unknown, keyId: string | number) {
    super(key, keyGroup);
    this.mapKey = mapKey;
    this.keyId = keyId;
  }
}
