import type { PlanNode } from '../../plan/nodes.ts';
import type { Operator } from '../operator.ts';
import type { OperatorServices } from '../operator-services.ts';
import { createAssignWatermarksOperator } from './assign-watermarks.ts';
import { createCoProcessOperator } from './co-process.ts';
import { createFilterOperator } from './filter.ts';
import { createFlatMapOperator } from './flat-map.ts';
import { createKeyedAggregateOperator } from './keyed-aggregate.ts';
import { createKeyedCoProcessOperator } from './keyed-co-process.ts';
import { createKeyedProcessOperator } from './keyed-process.ts';
import { createKeyedReduceOperator } from './keyed-reduce.ts';
import { createMapOperator } from './map.ts';
import { createProcessOperator } from './process.ts';
import { createUnionOperator } from './union.ts';
import { createWindowOperator } from './window.ts';

/**
 * Every plan node kind that runs as an operator, in one explicit switch. Sources and sinks are not
 * here: a task drives them (see task code), because they do I/O. `services` come from the running job
 * (watermark interval, bad-record routing); operators built alone get defaults.
 */
export function createOperator(
  node: Exclude<PlanNode, { kind: 'source' | 'sink' }>,
  services?: OperatorServices,
): Operator<unknown, unknown> {
  switch (node.kind) {
    case 'map':
      return createMapOperator(node);
    case 'filter':
      return createFilterOperator(node);
    case 'flat-map':
      return createFlatMapOperator(node);
    case 'process':
      return createProcessOperator(node);
    case 'union':
      return createUnionOperator(node);
    case 'co-process':
      return createCoProcessOperator(node);
    case 'assign-watermarks':
      return createAssignWatermarksOperator(node, services);
    case 'keyed-process':
      return createKeyedProcessOperator(node);
    case 'keyed-reduce':
      return createKeyedReduceOperator(node);
    case 'keyed-aggregate':
      return createKeyedAggregateOperator(node);
    case 'keyed-co-process':
      return createKeyedCoProcessOperator(node);
    case 'window':
      return createWindowOperator(node);
  }
}

/** Kinds whose operator needs keyed state and a key-group range. */
export function isKeyedKind(kind: PlanNode['kind']): boolean {
  return (
    kind === 'keyed-process' ||
    kind === 'keyed-reduce' ||
    kind === 'keyed-aggregate' ||
    kind === 'keyed-co-process' ||
    kind === 'window'
  );
}
