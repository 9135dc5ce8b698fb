import type { ProcessWindowFunction, ReduceFunction } from '../../../plan/functions.ts';
import type { PlanNodeOf } from '../../../plan/nodes.ts';
import type { AggregateFunction } from '../../../plan/state.ts';
import type { Evictor, TimestampedValue, TimeWindow } from '../../../plan/windows.ts';
import type { KeyedRuntime } from '../keyed/keyed-runtime.ts';
import { maxTimestampOf } from './assigners.ts';
import type { WindowContents } from './window-contents.ts';
import { ProcessWindowContext } from './window-contexts.ts';

/**
 * Turns a window's contents into results: the reduced value or aggregate result, or what the process
 * function emits (given every element, or the one pre-aggregated value). Results carry the window's
 * last millisecond as their timestamp.
 */
export class WindowEmitter {
  private readonly reduce: ReduceFunction<unknown> | undefined;
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown> | undefined;
  private readonly process: ProcessWindowFunction<unknown, unknown, unknown> | undefined;
  private readonly evictor: Evictor<unknown> | undefined;
  private readonly rt: KeyedRuntime;
  private readonly ctx: ProcessWindowContext;

  constructor(node: PlanNodeOf<'window'>, rt: KeyedRuntime, evictor: Evictor<unknown> | undefined) {
    this.reduce = node.reduce;
    this.aggregate = node.aggregate;
    this.process = node.process;
    this.evictor = evictor;
    this.rt = rt;
    this.ctx = new ProcessWindowContext(rt);
  }

  /** Emits the results of one (key, window) from its contents; an empty window emits nothing. */
  fire(key: unknown, window: TimeWindow, namespace: string, contents: WindowContents): void {
    switch (contents.mode) {
      case 'list': {
        const elements = contents.elements(namespace);
        if (elements.length > 0) this.runProcess(key, window, elements);
        return;
      }
      case 'reduce':
      case 'aggregate': {
        const result = contents.result(namespace);
        if (result !== undefined) this.emitResult(key, window, result);
        return;
      }
      case 'buffer':
        this.fireBuffered(key, window, namespace, contents);
    }
  }

  /** A pre-aggregated result: emitted as is, or handed to the process function as its one element. */
  emitResult(key: unknown, window: TimeWindow, result: unknown): void {
    if (this.process !== undefined) {
      this.runProcess(key, window, [result]);
      return;
    }
    const out = this.rt.buffer.main;
    out.timestamp = maxTimestampOf(window);
    out.collect(result);
  }

  /** Lets the process function drop its per-window state when the window is purged for good. */
  clear(window: TimeWindow): void {
    if (this.process?.clear === undefined) return;
    this.ctx.window = window;
    this.process.clear(this.ctx);
  }

  private fireBuffered(key: unknown, window: TimeWindow, namespace: string, contents: WindowContents): void {
    const all = contents.buffered(namespace);
    if (all.length === 0) return;
    let kept: TimestampedValue<unknown>[] = all.slice();
    if (this.evictor?.evictBefore) kept = this.evictor.evictBefore(kept, window);
    if (kept.length > 0) this.apply(key, window, kept);
    if (this.evictor?.evictAfter) kept = this.evictor.evictAfter(kept, window);
    contents.replaceBuffered(namespace, kept);
  }

  /** With an evictor the function runs over the buffered elements that are left, at fire time. */
  private apply(key: unknown, window: TimeWindow, elements: readonly TimestampedValue<unknown>[]): void {
    if (this.reduce !== undefined) {
      let result = elements[0].value;
      for (let i = 1; i < elements.length; i++) result = this.reduce(result, elements[i].value);
      this.emitResult(key, window, result);
    } else if (this.aggregate !== undefined) {
      let acc = this.aggregate.createAccumulator();
      for (const element of elements) acc = this.aggregate.add(element.value, acc);
      this.emitResult(key, window, this.aggregate.getResult(acc));
    } else {
      this.runProcess(
        key,
        window,
        elements.map((element) => element.value),
      );
    }
  }

  private runProcess(key: unknown, window: TimeWindow, elements: readonly unknown[]): void {
    const out = this.rt.buffer.main;
    out.timestamp = maxTimestampOf(window);
    this.ctx.window = window;
    this.process?.process(key, this.ctx, elements, out);
  }
}
