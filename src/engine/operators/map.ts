import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Operator } from '../operator.ts';

// Placeholder until the operator is built.
export function createMapOperator(node: PlanNodeOf<'map'>): Operator<unknown, unknown> {
  throw new Error(`operator ${node.kind} is not built yet`);
}
