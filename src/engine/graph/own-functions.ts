import type { PlanNode } from '../../plan/nodes.ts';

/**
 * Gives a subtask its own view of object-style user functions. Flink deserializes a fresh copy of each
 * function per subtask; here all subtasks share one thread, so each gets an object whose prototype is
 * the user's object: methods and fields read through, and `this.x = ...` (a state handle obtained in
 * open(), a counter) lands on the subtask's own copy. Variables captured in a closure stay shared;
 * keyed state or `this` is the place for per-subtask data (docs/guides/datastream-api.md says so).
 */
export function withOwnFunctions<N extends PlanNode>(node: N): N {
  switch (node.kind) {
    case 'process':
    case 'keyed-process':
    case 'co-process':
    case 'keyed-co-process':
      return { ...node, fn: own(node.fn) } as N;
    case 'window':
      return { ...node, process: node.process === undefined ? undefined : own(node.process) } as N;
    default:
      return node;
  }
}

function own<T>(fn: T): T {
  return typeof fn === 'object' && fn !== null ? (Object.create(fn) as T) : fn;
}
