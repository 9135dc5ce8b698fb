import { StreamError } from '../../../common/errors.ts';
import type { KeySelector } from '../../../plan/functions.ts';
import type { PlanNode } from '../../../plan/nodes.ts';

/** The one key of a non-keyed (windowAll) stream: all its state lives under it. */
const GLOBAL_KEY = undefined;
const globalKey: KeySelector<unknown, unknown> = () => GLOBAL_KEY;

/**
 * The key selector of a node's input port, from its edge: 'keyed' edges (and 'forward' ones over data
 * already partitioned by key) carry it, a 'global' edge
 * (windowAll) means one constant key. Anything else cannot feed a keyed operator.
 */
export function keySelectorFor(node: PlanNode, port: number): KeySelector<unknown, unknown> {
  const edge = node.inputs.find((e) => e.port === port);
  if (edge?.partitioning.kind === 'keyed') return edge.partitioning.key;
  if (edge?.partitioning.kind === 'forward' && edge.partitioning.key !== undefined)
    return edge.partitioning.key;
  if (edge?.partitioning.kind === 'global') return globalKey;
  throw new StreamError(
    'ENG_INVALID_JOB',
    `operator "${node.name}" needs a keyed input on port ${port}, but it has ${edge ? `a ${edge.partitioning.kind} one` : 'none'}; call keyBy() before it`,
    { details: { operator: node.name, port } },
  );
}
