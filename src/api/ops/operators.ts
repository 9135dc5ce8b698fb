import type { BadRecordPolicy } from '../../plan/connectors.ts';
import type {
  FilterFunction,
  FlatMapFunction,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  MapFunction,
  ReduceFunction,
} from '../../plan/functions.ts';
import type { AggregateFunction } from '../../plan/state.ts';
import type { WatermarkStrategySpec } from '../../plan/watermarks.ts';
import { toWatermarkSpec } from '../builders/watermark-strategy.ts';
import type { CoProcessFunctionArg, ProcessFunctionArg } from '../function-types.ts';
import { requireFunction, requireMethods } from './checks.ts';
import { requireBadRecordPolicy } from './connectors.ts';
import { erase } from './erase.ts';
import type { NodeSpec } from './job-graph.ts';
import { edgeFrom, mainOutput, requireSameGraph, type StreamRef } from './stream-ref.ts';

/**
 * One function per operator the facade offers: check the user's function, add the node reading `ref`,
 * return the new node's main output. The plan stores functions with `unknown` element types; the
 * facade's signatures are what keep the types straight.
 */

function oneInput(ref: StreamRef, spec: NodeSpec, name: string): StreamRef {
  return mainOutput(ref.graph, ref.graph.add(spec, name, [edgeFrom(ref)]).id);
}

export function addMap<T, R>(ref: StreamRef, fn: MapFunction<T, R>): StreamRef {
  requireFunction(fn, 'the map function');
  return oneInput(ref, { kind: 'map', fn: erase(fn) }, 'Map');
}

export function addFilter<T>(ref: StreamRef, fn: FilterFunction<T>): StreamRef {
  requireFunction(fn, 'the filter function');
  return oneInput(ref, { kind: 'filter', fn: erase(fn) }, 'Filter');
}

export function addFlatMap<T, R>(ref: StreamRef, fn: FlatMapFunction<T, R>): StreamRef {
  requireFunction(fn, 'the flatMap function');
  return oneInput(ref, { kind: 'flat-map', fn: erase(fn) }, 'Flat Map');
}

export function addProcess<T, R>(ref: StreamRef, fn: ProcessFunctionArg<T, R>): StreamRef {
  requireMethods(fn, 'a ProcessFunction', ['processElement']);
  return oneInput(ref, { kind: 'process', fn: erase(fn) }, 'Process');
}

export function addKeyedProcess<K, T, R>(ref: StreamRef, fn: KeyedProcessFunction<K, T, R>): StreamRef {
  requireMethods(fn, 'a KeyedProcessFunction', ['processElement']);
  return oneInput(ref, { kind: 'keyed-process', fn: erase(fn) }, 'Keyed Process');
}

export function addKeyedReduce<T>(ref: StreamRef, fn: ReduceFunction<T>): StreamRef {
  requireFunction(fn, 'the reduce function');
  return oneInput(ref, { kind: 'keyed-reduce', fn: erase(fn) }, 'Keyed Reduce');
}

export function addKeyedAggregate<T, ACC, R>(ref: StreamRef, fn: AggregateFunction<T, ACC, R>): StreamRef {
  requireMethods(fn, 'an AggregateFunction', ['createAccumulator', 'add', 'getResult']);
  return oneInput(ref, { kind: 'keyed-aggregate', fn: erase(fn) }, 'Keyed Aggregate');
}

export function addAssignWatermarks<T>(
  ref: StreamRef,
  watermarks: WatermarkStrategySpec<T>,
  badRecords: BadRecordPolicy = { kind: 'fail' },
): StreamRef {
  const spec: NodeSpec = {
    kind: 'assign-watermarks',
    watermarks: erase(toWatermarkSpec(watermarks)),
    badRecords: requireBadRecordPolicy(badRecords),
  };
  return oneInput(ref, spec, 'Timestamps/Watermarks');
}

/** A union node reading every stream on port 0 (each edge keeps its stream's partitioning). */
export function addUnion(ref: StreamRef, others: readonly StreamRef[]): StreamRef {
  for (const other of others) requireSameGraph(ref, other, 'union');
  const inputs = [ref, ...others].map((input) => edgeFrom(input, 0));
  return mainOutput(ref.graph, ref.graph.add({ kind: 'union' }, 'Union', inputs).id);
}

function twoInput(first: StreamRef, second: StreamRef, spec: NodeSpec, name: string): StreamRef {
  requireSameGraph(first, second, 'connect');
  const node = first.graph.add(spec, name, [edgeFrom(first, 0), edgeFrom(second, 1)]);
  return mainOutput(first.graph, node.id);
}

export function addCoProcess<A, B, R>(
  first: StreamRef,
  second: StreamRef,
  fn: CoProcessFunctionArg<A, B, R>,
): StreamRef {
  requireMethods(fn, 'a CoProcessFunction', ['processElement1', 'processElement2']);
  return twoInput(first, second, { kind: 'co-process', fn: erase(fn) }, 'Co-Process');
}

export function addKeyedCoProcess<K, A, B, R>(
  first: StreamRef,
  second: StreamRef,
  fn: KeyedCoProcessFunction<K, A, B, R>,
): StreamRef {
  requireMethods(fn, 'a KeyedCoProcessFunction', ['processElement1', 'processElement2']);
  return twoInput(first, second, { kind: 'keyed-co-process', fn: erase(fn) }, 'Keyed Co-Process');
}
