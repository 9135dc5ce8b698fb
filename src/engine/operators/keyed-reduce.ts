import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Operator } from '../operator.ts';
import { keySelectorFor } from './keyed/key-selector.ts';
import { RollingOperator } from './keyed/rolling-operator.ts';

/**
 * Rolling reduce per key: for every element, emits the key's value reduced so far (with the element's
 * timestamp).
 *
 * @example
 * createKeyedReduceOperator({ kind: 'keyed-reduce', id: 2, name: 'max', inputs, fn: (a, b) => (a > b ? a : b) });
 */
export function createKeyedReduceOperator(node: PlanNodeOf<'keyed-reduce'>): Operator<unknown, unknown> {
  const fn = node.fn;
  return new RollingOperator(node.name, keySelectorFor(node, 0), '__reduce', {
    step: (previous, value) => (previous === undefined ? value : fn(previous, value)),
    result: (reduced) => reduced,
  });
}
