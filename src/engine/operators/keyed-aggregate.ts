import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Operator } from '../operator.ts';
import { keySelectorFor } from './keyed/key-selector.ts';
import { RollingOperator } from './keyed/rolling-operator.ts';

/**
 * Rolling aggregate per key: for every element, emits the key's current result (with the element's
 * timestamp). The accumulator is kept (not the result), so the next element continues from it.
 *
 * @example
 * createKeyedAggregateOperator({ kind: 'keyed-aggregate', id: 2, name: 'count', inputs, fn: countFn });
 */
export function createKeyedAggregateOperator(
  node: PlanNodeOf<'keyed-aggregate'>,
): Operator<unknown, unknown> {
  const fn = node.fn;
  return new RollingOperator(node.name, keySelectorFor(node, 0), '__aggregate', {
    step: (previous, value) => fn.add(value, previous === undefined ? fn.createAccumulator() : previous),
    result: (accumulator) => fn.getResult(accumulator),
  });
}
