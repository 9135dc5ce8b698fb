import type { KeyedStateEntry, StateKind } from './snapshot-format.ts';
import type { StateTable } from './state-tables.ts';
import { isExpired, TtlCell } from './ttl.ts';

/**
 * Conversions between a stored cell (what a row holds for one state and namespace: the value, an
 * array for lists, a Map for maps; TtlCells where the state has a TTL) and the canonical snapshot entry.
 */

/**
 * The canonical entry of one cell as of `cut`, or undefined when everything in it has expired (expired
 * entries are not written). Lists and maps are written as they are: the writer serializes at once.
 */
export function entryOfCell(
  table: StateTable,
  key: unknown,
  namespace: string,
  stored: unknown,
  cut: number,
): KeyedStateEntry | undefined {
  const { name: state, kind } = table;
  if (!table.stamped) {
    const value = kind === 'map' ? [...(stored as Map<unknown, unknown>)] : stored;
    return { state, key, namespace, kind, value };
  }
  const ttl = table.ttl;
  const live = (cell: TtlCell) => ttl === undefined || !isExpired(cell, ttl, cut);
  switch (kind) {
    case 'list': {
      const cells = (stored as TtlCell[]).filter(live);
      if (cells.length === 0) return undefined;
      const value = cells.map((cell) => cell.value);
      return { state, key, namespace, kind, value, stamps: cells.map((cell) => cell.stamp) };
    }
    case 'map': {
      const pairs: [unknown, unknown][] = [];
      const stamps: number[] = [];
      for (const [mapKey, cell] of stored as Map<unknown, TtlCell>) {
        if (!live(cell)) continue;
        pairs.push([mapKey, cell.value]);
        stamps.push(cell.stamp);
      }
      return pairs.length === 0 ? undefined : { state, key, namespace, kind, value: pairs, stamps };
    }
    default: {
      const cell = stored as TtlCell;
      return live(cell)
        ? { state, key, namespace, kind, value: cell.value, touchedAt: cell.stamp }
        : undefined;
    }
  }
}

/**
 * The cell for a restored entry, stored as `table` stores values (with TtlCells when stamped). An
 * entry without stamps going to a stamped table is stamped `now`; stamps going to a table without TTL
 * are dropped. The entry's value is fresh from deserialization, so it is used as it is.
 */
export function cellOfEntry(table: StateTable, entry: KeyedStateEntry, now: number): unknown {
  const stamped = table.stamped;
  switch (table.kind) {
    case 'list': {
      const values = entry.value as unknown[];
      if (!stamped) return values;
      return values.map((value, i) => new TtlCell(value, entry.stamps?.[i] ?? now));
    }
    case 'map': {
      const pairs = entry.value as [unknown, unknown][];
      if (!stamped) return new Map(pairs);
      return new Map(pairs.map(([k, v], i) => [k, new TtlCell(v, entry.stamps?.[i] ?? now)]));
    }
    default:
      return stamped ? new TtlCell(entry.value, entry.touchedAt ?? now) : entry.value;
  }
}

/** Converts a stored cell between the plain and the stamped form (a TTL was added or removed). */
export function restampCell(kind: StateKind, stored: unknown, stamped: boolean, now: number): unknown {
  const wrap = (value: unknown) => (stamped ? new TtlCell(value, now) : (value as TtlCell).value);
  switch (kind) {
    case 'list':
      return (stored as unknown[]).map(wrap);
    case 'map': {
      const map = new Map<unknown, unknown>();
      for (const [k, v] of stored as Map<unknown, unknown>) map.set(k, wrap(v));
      return map;
    }
    default:
      return wrap(stored);
  }
}

/** Whether a restored entry carries TTL stamps. */
export function isStamped(entry: KeyedStateEntry): boolean {
  return entry.touchedAt !== undefined || entry.stamps !== undefined;
}
