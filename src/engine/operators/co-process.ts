import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Operator } from '../operator.ts';

// Placeholder until the operator is built.
export function createCoProcessOperator(node: PlanNodeOf<'co-process'>): Operator<unknown, unknown> {
  throw new Error(`operator ${node.kind} is not built yet`);
}
