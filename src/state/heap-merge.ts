import { StreamError } from '../common/errors.ts';
import type { StateDescriptor } from '../plan/state.ts';
import type { StateTable } from './state-tables.ts';
import { isExpired, TtlCell, type TtlPolicy } from './ttl.ts';

/**
 * Combines the stored value of a namespace that disappears (`from`) into the one that stays (`into`),
 * as session windows need when they merge. Lists concatenate, maps add the entries `into` lacks,
 * reducing and aggregating states combine with their functions, and a value state keeps `into` if set.
 * A restored state whose descriptor was not used yet has no functions: it keeps `into` too.
 */
export function mergeStored(table: StateTable, into: unknown, from: unknown, now: number): unknown {
  const { descriptor, ttl, stamped } = table;
  switch (table.kind) {
    case 'list':
      if (into === undefined) return from;
      for (const element of from as unknown[]) (into as unknown[]).push(element);
      return into;
    case 'map':
      if (into === undefined) return from;
      for (const [key, value] of from as Map<unknown, unknown>) {
        if (!(into as Map<unknown, unknown>).has(key)) (into as Map<unknown, unknown>).set(key, value);
      }
      return into;
    default: {
      const a = live(into, stamped, ttl, now);
      const b = live(from, stamped, ttl, now);
      const merged = a === undefined ? b : b === undefined ? a : combine(descriptor, a, b);
      if (merged === undefined || !stamped) return merged;
      return new TtlCell(merged, now);
    }
  }
}

function live(stored: unknown, stamped: boolean, ttl: TtlPolicy | undefined, now: number): unknown {
  if (stored === undefined || !stamped) return stored;
  const cell = stored as TtlCell;
  return ttl !== undefined && isExpired(cell, ttl, now) ? undefined : cell.value;
}

function combine(descriptor: StateDescriptor | undefined, a: unknown, b: unknown): unknown {
  switch (descriptor?.kind) {
    case 'reducing':
      return descriptor.reduce(a, b);
    case 'aggregating': {
      const merge = descriptor.aggregate.merge;
      if (merge === undefined) {
        throw new StreamError(
          'ENG_AGGREGATE_MERGE_MISSING',
          `aggregating state "${descriptor.name}" must merge two accumulators, but its aggregate function has no merge(a, b); add one`,
          { details: { state: descriptor.name } },
        );
      }
      return merge.call(descriptor.aggregate, a, b);
    }
    default:
      return a;
  }
}
