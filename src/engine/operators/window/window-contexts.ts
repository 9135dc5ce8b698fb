import type { WindowContext } from '../../../plan/functions.ts';
import type { OutputTag } from '../../../plan/output-tag.ts';
import type { KeyedStateStore } from '../../../plan/state.ts';
import type { TimeWindow, TriggerContext } from '../../../plan/windows.ts';
import type { KeyedRuntime } from '../keyed/keyed-runtime.ts';
import { GLOBAL_WINDOW, maxTimestampOf, namespaceOf } from './assigners.ts';

/** The ProcessWindowFunction's context, reused: the operator sets `window` (and the key) before each call. */
export class ProcessWindowContext implements WindowContext {
  window: TimeWindow = GLOBAL_WINDOW;
  private readonly rt: KeyedRuntime;

  constructor(rt: KeyedRuntime) {
    this.rt = rt;
  }

  currentWatermark(): number {
    return this.rt.watermark;
  }

  currentProcessingTime(): number {
    return this.rt.clock.now();
  }

  get windowState(): KeyedStateStore {
    return this.rt.backend.store(namespaceOf(this.window));
  }

  get globalState(): KeyedStateStore {
    return this.rt.backend.store();
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.rt.buffer.side(tag.id, value, maxTimestampOf(this.window));
  }
}

/** A trigger's context for one (key, window); timers it registers carry the window's namespace. */
export class WindowTriggerContext implements TriggerContext {
  key: unknown;
  window: TimeWindow = GLOBAL_WINDOW;
  namespace = '';
  private readonly rt: KeyedRuntime;

  constructor(rt: KeyedRuntime) {
    this.rt = rt;
  }

  bind(key: unknown, window: TimeWindow, namespace: string): this {
    this.key = key;
    this.window = window;
    this.namespace = namespace;
    return this;
  }

  get currentWatermark(): number {
    return this.rt.watermark;
  }

  currentProcessingTime(): number {
    return this.rt.clock.now();
  }

  registerEventTimeTimer(time: number): void {
    this.rt.timers.registerEventTimer(this.key, this.namespace, time);
  }

  registerProcessingTimeTimer(time: number): void {
    this.rt.registerProcessingTimer(this.key, this.namespace, time);
  }

  deleteEventTimeTimer(time: number): void {
    this.rt.timers.deleteEventTimer(this.key, this.namespace, time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.rt.timers.deleteProcessingTimer(this.key, this.namespace, time);
  }

  get state(): KeyedStateStore {
    return this.rt.backend.store(this.namespace);
  }
}
