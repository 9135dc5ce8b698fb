import type { PlanNodeOf } from '../../plan/nodes.ts';
import type { Operator } from '../operator.ts';
import { AlignedWindowOperator, isAlignedWindow } from './window/aligned-window-operator.ts';
import { GenericWindowOperator } from './window/generic-window-operator.ts';
import { validateWindowNode } from './window/validate.ts';

/**
 * Runs a window node with Flink's semantics (assigners, triggers, evictors, allowed lateness, late side
 * output, merging session windows). Aligned windows with their default trigger and an incremental
 * function take a fast path; everything else runs on the generic operator. windowAll (`keyed: false`)
 * runs the same code with one key.
 *
 * @example
 * createWindowOperator({ kind: 'window', id: 3, name: 'per-minute', inputs, keyed: true,
 *   assigner: { kind: 'tumbling', time: 'event', size: 60_000, offset: 0 }, trigger: { kind: 'event-time' },
 *   allowedLateness: 0, aggregate: countFn });
 */
export function createWindowOperator(node: PlanNodeOf<'window'>): Operator<unknown, unknown> {
  validateWindowNode(node);
  return isAlignedWindow(node) ? new AlignedWindowOperator(node) : new GenericWindowOperator(node);
}
