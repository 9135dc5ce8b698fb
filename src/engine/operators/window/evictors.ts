import type { Evictor, EvictorSpec, TimestampedValue } from '../../../plan/windows.ts';

function keepLast(max: number) {
  return (elements: TimestampedValue<unknown>[]) =>
    elements.length > max ? elements.slice(elements.length - max) : elements;
}

/** Keeps elements newer than (newest timestamp − keep); without any timestamps it keeps everything. */
function keepRecent(keep: number) {
  return (elements: TimestampedValue<unknown>[]) => {
    let newest = Number.NEGATIVE_INFINITY;
    for (const element of elements) if (element.timestamp > newest) newest = element.timestamp;
    if (newest === Number.NEGATIVE_INFINITY) return elements;
    const cutoff = newest - keep;
    return elements.filter((element) => !(element.timestamp <= cutoff));
  };
}

/**
 * The evictor of a window node; count and time evictors act before the window function unless
 * `after` is set.
 *
 * @example
 * createEvictor({ kind: 'count', max: 2 }).evictBefore?.(elements, window); // the last two
 */
export function createEvictor(spec: EvictorSpec<unknown>): Evictor<unknown> {
  switch (spec.kind) {
    case 'count': {
      const evict = keepLast(spec.max);
      return spec.after ? { evictAfter: evict } : { evictBefore: evict };
    }
    case 'time': {
      const evict = keepRecent(spec.keep);
      return spec.after ? { evictAfter: evict } : { evictBefore: evict };
    }
    case 'custom':
      return spec.evictor;
  }
}
