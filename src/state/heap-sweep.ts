import type { Slots } from './heap-rows.ts';
import type { StateTable } from './state-tables.ts';
import { isExpired, type TtlCell } from './ttl.ts';

/**
 * Removes the expired TTL entries of one slot array (one key, one namespace). `drop(id)` removes a
 * whole value through the backend so its row and namespace counts stay right. Returns the number of
 * entries removed (a list element or map entry counts as one).
 */
export function sweepSlots(
  slots: Slots,
  tables: readonly StateTable[],
  now: number,
  drop: (id: number) => void,
): number {
  let removed = 0;
  for (let id = 0; id < slots.values.length; id++) {
    const stored = slots.values[id];
    const table = tables[id];
    const ttl = table.ttl;
    if (stored === undefined || ttl === undefined || !table.stamped) continue;
    switch (table.kind) {
      case 'list': {
        const cells = stored as TtlCell[];
        const live = cells.filter((cell) => !isExpired(cell, ttl, now));
        removed += cells.length - live.length;
        if (live.length === 0) drop(id);
        else if (live.length !== cells.length) slots.values[id] = live;
        break;
      }
      case 'map': {
        const map = stored as Map<unknown, TtlCell>;
        for (const [key, cell] of map) {
          if (!isExpired(cell, ttl, now)) continue;
          map.delete(key);
          removed++;
        }
        if (map.size === 0) drop(id);
        break;
      }
      default:
        if (isExpired(stored as TtlCell, ttl, now)) {
          drop(id);
          removed++;
        }
    }
  }
  return removed;
}
