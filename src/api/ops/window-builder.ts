import type { ProcessWindowFunction, ReduceFunction } from '../../plan/functions.ts';
import type { OutputTag } from '../../plan/output-tag.ts';
import type { AggregateFunction } from '../../plan/state.ts';
import type { EvictorSpec, TriggerSpec, WindowAssignerSpec } from '../../plan/windows.ts';
import { describeAssigner } from '../builders/window-assigners.ts';
import { invalidArgument, requireFunction, requireMethods, requireNonNegativeInteger } from './checks.ts';
import { erase } from './erase.ts';
import type { WindowNodeSpec } from './job-graph.ts';
import { edgeFrom, mainOutput, type StreamRef } from './stream-ref.ts';

/**
 * What a window node computes: reduce or aggregate or process, or reduce/aggregate followed by process
 * (which then gets the one pre-aggregated value V per window).
 */
export interface WindowFunctions<T, V, R, K> {
  readonly reduce?: ReduceFunction<T>;
  readonly aggregate?: AggregateFunction<T, unknown, V>;
  readonly process?: ProcessWindowFunction<V, R, K>;
}

const ASSIGNER_KINDS: readonly string[] = ['tumbling', 'sliding', 'session', 'global'];

/**
 * The state behind WindowedStream and AllWindowedStream: window() opens it, trigger()/evictor()/...
 * configure it, and each reduce/aggregate/process call adds a window node with the settings so far.
 * Until the first function, the graph lists the window as unfinished, and toPlan reports it.
 */
export class WindowBuilder {
  readonly #ref: StreamRef;
  readonly #keyed: boolean;
  readonly #assigner: WindowAssignerSpec<unknown>;
  #trigger: TriggerSpec<unknown> | undefined;
  #evictor: EvictorSpec<unknown> | undefined;
  #allowedLateness = 0;
  #lateOutput: string | undefined;
  #applied = false;

  constructor(ref: StreamRef, assigner: WindowAssignerSpec<unknown>, keyed: boolean) {
    if (typeof assigner !== 'object' || assigner === null || !ASSIGNER_KINDS.includes(assigner.kind)) {
      throw invalidArgument(
        'expected a window assigner, e.g. TumblingEventTimeWindows.of(Time.minutes(1)) or GlobalWindows.create()',
      );
    }
    this.#ref = ref;
    this.#keyed = keyed;
    this.#assigner = assigner;
    this.#trigger = defaultTrigger(assigner);
    const call = `${keyed ? 'window' : 'windowAll'}(${describeAssigner(assigner)})`;
    ref.graph.unfinishedWindows.set(this, `${call} after ${ref.graph.describe(ref.node)}`);
  }

  get assigner(): WindowAssignerSpec<unknown> {
    return this.#assigner;
  }

  setTrigger(trigger: TriggerSpec<unknown>): void {
    this.#beforeFunction('trigger');
    if (typeof trigger !== 'object' || trigger === null || typeof trigger.kind !== 'string') {
      throw invalidArgument(
        'trigger() needs a trigger, e.g. CountTrigger.of(100) or EventTimeTrigger.create()',
      );
    }
    this.#trigger = trigger;
  }

  setEvictor(evictor: EvictorSpec<unknown>): void {
    this.#beforeFunction('evictor');
    if (typeof evictor !== 'object' || evictor === null || typeof evictor.kind !== 'string') {
      throw invalidArgument(
        'evictor() needs an evictor, e.g. CountEvictor.of(100) or TimeEvictor.of(60_000)',
      );
    }
    this.#evictor = evictor;
  }

  setAllowedLateness(ms: number): void {
    this.#beforeFunction('allowedLateness');
    this.#allowedLateness = requireNonNegativeInteger(ms, 'allowedLateness');
  }

  setLateOutput(tag: OutputTag<unknown>): void {
    this.#beforeFunction('sideOutputLateData');
    if (typeof tag !== 'object' || tag === null || typeof tag.id !== 'string' || tag.id.length === 0) {
      throw invalidArgument("sideOutputLateData() needs an output tag, e.g. outputTag<Click>('late-clicks')");
    }
    this.#lateOutput = tag.id;
  }

  /** Adds a window node with the settings so far; returns its main output. */
  apply<T, V, R, K>(functions: WindowFunctions<T, V, R, K>): StreamRef {
    if (functions.reduce !== undefined) requireFunction(functions.reduce, 'the reduce function');
    if (functions.aggregate !== undefined) {
      requireMethods(functions.aggregate, 'an AggregateFunction', ['createAccumulator', 'add', 'getResult']);
    }
    if (functions.process !== undefined) {
      requireMethods(functions.process, 'a ProcessWindowFunction', ['process']);
    }
    const spec: WindowNodeSpec = {
      kind: 'window',
      keyed: this.#keyed,
      assigner: this.#assigner,
      allowedLateness: this.#allowedLateness,
      ...(this.#trigger === undefined ? {} : { trigger: this.#trigger }),
      ...(this.#evictor === undefined ? {} : { evictor: this.#evictor }),
      ...(this.#lateOutput === undefined ? {} : { lateOutput: this.#lateOutput }),
      ...(functions.reduce === undefined ? {} : { reduce: erase(functions.reduce) }),
      ...(functions.aggregate === undefined ? {} : { aggregate: erase(functions.aggregate) }),
      ...(functions.process === undefined ? {} : { process: erase(functions.process) }),
    };
    const graph = this.#ref.graph;
    const name = `${this.#keyed ? 'Window' : 'WindowAll'}(${describeAssigner(this.#assigner)})`;
    const options = this.#keyed
      ? {}
      : { parallelism: 1, singleSubtask: 'windowAll sees every element in one subtask' };
    const node = graph.add(spec, name, [edgeFrom(this.#ref)], options);
    graph.unfinishedWindows.delete(this);
    this.#applied = true;
    return mainOutput(graph, node.id);
  }

  #beforeFunction(method: string): void {
    if (this.#applied) {
      throw invalidArgument(
        `${method}() was called after the window got its function; call it before reduce/aggregate/process`,
      );
    }
  }
}

/** Time windows fire by their own clock; a global window never ends, so it has no default (toPlan says so). */
function defaultTrigger(assigner: WindowAssignerSpec<unknown>): TriggerSpec<unknown> | undefined {
  if (assigner.kind === 'global') return undefined;
  return assigner.time === 'event' ? { kind: 'event-time' } : { kind: 'processing-time' };
}
