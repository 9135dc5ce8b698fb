import type { ProcessWindowFunction, ReduceFunction } from '../../plan/functions.ts';
import type { AggregateFunction } from '../../plan/state.ts';
import type { AllWindowCount, ProcessAllWindowFunction, WindowCount } from '../function-types.ts';
import { requireMethods, requireName } from './checks.ts';

/** The ready-made functions behind sum() and count(), and the adapter for ProcessAllWindowFunction. */

/** Keeps the first element's other fields and adds up `field` (Flink's sum on a POJO field). */
export function sumReducer<T>(field: string): ReduceFunction<T> {
  requireName(field, 'the field to sum');
  return (a, b) => {
    const left = (a as Record<string, unknown>)[field];
    const right = (b as Record<string, unknown>)[field];
    if (typeof left !== 'number' || typeof right !== 'number') {
      throw new TypeError(`sum('${field}'): field "${field}" must be a number in every element`);
    }
    return { ...a, [field]: left + right };
  };
}

export const countAggregate: AggregateFunction<unknown, number, number> = Object.freeze({
  createAccumulator: () => 0,
  add: (_value: unknown, count: number) => count + 1,
  getResult: (count: number) => count,
  merge: (a: number, b: number) => a + b,
});

export function windowCountRows<K>(): ProcessWindowFunction<number, WindowCount<K>, K> {
  return {
    process(key, ctx, counts, out) {
      for (const count of counts) out.collect({ key, start: ctx.window.start, end: ctx.window.end, count });
    },
  };
}

const allWindowCounts: ProcessAllWindowFunction<number, AllWindowCount> = {
  process(ctx, counts, out) {
    for (const count of counts) out.collect({ start: ctx.window.start, end: ctx.window.end, count });
  },
};
export const allWindowCountRows = Object.freeze(allWindowCounts);

/** windowAll runs on the plan's keyed window operator with no real key; the adapter drops the key. */
export function ignoringKey<IN, OUT>(
  fn: ProcessAllWindowFunction<IN, OUT>,
): ProcessWindowFunction<IN, OUT, unknown> {
  requireMethods(fn, 'a ProcessAllWindowFunction', ['process']);
  const adapted: ProcessWindowFunction<IN, OUT, unknown> = {
    process: (_key, ctx, elements, out) => fn.process(ctx, elements, out),
  };
  if (fn.open !== undefined) adapted.open = (ctx) => fn.open?.(ctx);
  if (fn.clear !== undefined) adapted.clear = (ctx) => fn.clear?.(ctx);
  if (fn.close !== undefined) adapted.close = () => fn.close?.();
  return adapted;
}
