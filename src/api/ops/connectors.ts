import type { BadRecordPolicy, SinkDescriptor, SourceDescriptor } from '../../plan/connectors.ts';
import type { NodeId } from '../../plan/nodes.ts';
import type { WatermarkStrategySpec } from '../../plan/watermarks.ts';
import { toWatermarkSpec } from '../builders/watermark-strategy.ts';
import { invalidArgument, requireName, requirePositiveInteger } from './checks.ts';
import type { JobGraph } from './job-graph.ts';
import { edgeFrom, mainOutput, type StreamRef } from './stream-ref.ts';

export interface SourceOptions {
  /** What to do with records the source cannot decode or timestamp. Default: fail the job. */
  readonly badRecords?: BadRecordPolicy;
  /** Overrides the job's parallelism for this source. */
  readonly parallelism?: number;
}

function requireDescriptor(
  value: { readonly connector: string; readonly config: object },
  what: string,
): void {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.connector !== 'string' ||
    value.connector.length === 0 ||
    typeof value.config !== 'object' ||
    value.config === null
  ) {
    throw invalidArgument(
      `expected a ${what} descriptor ({ connector, config }), e.g. from kafkaSource(...) or kafkaSink(...)`,
    );
  }
}

export function requireBadRecordPolicy(policy: BadRecordPolicy): BadRecordPolicy {
  const kind: unknown = policy?.kind;
  if (kind === 'fail' || kind === 'skip') return policy;
  if (kind === 'dead-letter' && 'sink' in policy) {
    requireDescriptor(policy.sink, 'dead-letter sink');
    return policy;
  }
  throw invalidArgument(
    "badRecords must be { kind: 'fail' }, { kind: 'skip' } or { kind: 'dead-letter', sink: <sink descriptor> }",
  );
}

/** A source node named `Source: <name>`. `singleSubtask` says why a source cannot be split, if it cannot. */
export function addSource(
  graph: JobGraph,
  source: SourceDescriptor<unknown>,
  watermarks: WatermarkStrategySpec<unknown>,
  name: string,
  options: SourceOptions = {},
  singleSubtask?: string,
): StreamRef {
  requireDescriptor(source, 'source');
  requireName(name, 'a source name');
  if (typeof source.bounded !== 'boolean') {
    throw invalidArgument(`source "${name}" must say whether it is bounded (bounded: true or false)`);
  }
  const node = graph.add(
    {
      kind: 'source',
      source,
      watermarks: toWatermarkSpec(watermarks),
      badRecords: requireBadRecordPolicy(options.badRecords ?? { kind: 'fail' }),
    },
    `Source: ${name}`,
    [],
    singleSubtask === undefined ? {} : { parallelism: 1, singleSubtask },
  );
  if (options.parallelism !== undefined) {
    requirePositiveInteger(options.parallelism, 'source parallelism');
    if (singleSubtask !== undefined && options.parallelism !== 1) {
      throw invalidArgument(`source "${name}" always runs with parallelism 1 (${singleSubtask})`);
    }
    node.parallelism = options.parallelism;
  }
  return mainOutput(graph, node.id);
}

/** A sink node named `Sink: <connector>`. */
export function addSink(ref: StreamRef, sink: SinkDescriptor<unknown>): NodeId {
  requireDescriptor(sink, 'sink');
  return ref.graph.add({ kind: 'sink', sink }, `Sink: ${sink.connector}`, [edgeFrom(ref)]).id;
}

/** The descriptor fromElements builds; the 'elements' connector emits the array in order, then ends. */
export function elementsDescriptor<T>(elements: readonly T[]): SourceDescriptor<T> {
  return { connector: 'elements', config: { elements }, bounded: true };
}

/** The descriptor fromCollection builds; the 'iterable' connector drains the (async) iterable once. */
export function iterableDescriptor<T>(iterable: Iterable<T> | AsyncIterable<T>): SourceDescriptor<T> {
  const record = iterable as unknown as Record<symbol, unknown> | null;
  if (
    typeof iterable !== 'object' ||
    record === null ||
    (typeof record[Symbol.iterator] !== 'function' && typeof record[Symbol.asyncIterator] !== 'function')
  ) {
    throw invalidArgument(
      'fromCollection() needs an Iterable or AsyncIterable (an array, a Set, a generator...); for single values use fromElements()',
    );
  }
  return { connector: 'iterable', config: { iterable }, bounded: true };
}
