import { MAX_TIMESTAMP } from '../../../common/time.ts';
import type { ValueState } from '../../../plan/state.ts';
import type { TimeWindow, Trigger, TriggerResult } from '../../../plan/windows.ts';
import type { Timer } from '../../../state/timers.ts';
import type { Batch } from '../../batch.ts';
import { assignWindows, maxTimestampOf, namespaceOf, windowOfNamespace } from './assigners.ts';
import { addSessionWindow } from './session-merge.ts';
import { createTrigger } from './triggers.ts';
import { WindowContents } from './window-contents.ts';
import { WindowTriggerContext } from './window-contexts.ts';
import { WindowOperatorBase } from './window-operator-base.ts';

/**
 * Flink's WindowOperator: contents per (key, window) in keyed state, a trigger deciding when to fire,
 * timers per (key, window), and a cleanup timer at the window's end + allowed lateness. Handles every
 * assigner, trigger and evictor, and merging (session) windows. The aligned fast path handles the
 * common case without per-element timers (aligned-window-operator.ts).
 */
export class GenericWindowOperator extends WindowOperatorBase {
  private readonly trigger: Trigger<unknown>;
  private readonly merging = this.node.assigner.kind === 'session';
  private contents!: WindowContents;
  private tctx!: WindowTriggerContext;
  private sessions!: ValueState<TimeWindow[]>;
  private readonly fireEvent = (timer: Timer): void => this.onTimer(timer, 'event');
  private readonly fireProcessing = (timer: Timer): void => this.onTimer(timer, 'processing');

  constructor(node: ConstructorParameters<typeof WindowOperatorBase>[0]) {
    super(node);
    this.trigger = createTrigger(node.trigger);
  }

  protected override setUp(): void {
    this.contents = new WindowContents(this.node, this.rt.backend);
    this.tctx = new WindowTriggerContext(this.rt);
    this.sessions = this.rt.backend.store().getState({ kind: 'value', name: '__session-windows' });
  }

  processBatch(batch: Batch<unknown>): void {
    const { values, timestamps } = batch;
    const now = this.rt.clock.now();
    let i = 0;
    try {
      for (; i < values.length; i++) {
        const value = values[i];
        const timestamp = timestamps[i];
        if (this.eventTime && Number.isNaN(timestamp)) throw this.missingTimestamp(value);
        const key = this.keyOf(value);
        this.rt.backend.setCurrentKey(key);
        const windows = assignWindows(this.node.assigner, value, this.eventTime ? timestamp : now);
        const accepted = this.merging
          ? this.addToSession(key, value, timestamp, windows)
          : this.addToWindows(key, value, timestamp, windows);
        if (!accepted) this.late(value, timestamp);
      }
    } catch (cause) {
      throw this.failed(values[i], cause);
    }
    this.rt.flush();
  }

  onWatermark(time: number): void {
    this.rt.advanceWatermark(time);
    this.rt.timers.advanceWatermark(time, this.fireEvent);
    this.rt.flush();
    this.rt.ctx.output.emitWatermark(time);
  }

  onProcessingTime(now: number): void {
    this.rt.timers.advanceProcessingTime(now, this.fireProcessing);
    this.rt.processingTimeDelivered(now);
    this.rt.flush();
  }

  /** Processing-time windows still open when the input ends fire once with what they hold. */
  endInput(): void {
    if (this.eventTime) return;
    for (const timer of this.rt.timers.registered('processing')) {
      const window = windowOfNamespace(timer.namespace);
      if (timer.time !== this.cleanupTime(window)) continue;
      this.rt.timers.deleteProcessingTimer(timer.key, timer.namespace, timer.time);
      this.rt.backend.setCurrentKey(timer.key);
      try {
        this.emitter.fire(timer.key, window, timer.namespace, this.contents);
        this.clearAll(timer.key, window, timer.namespace);
      } catch (cause) {
        throw this.failed({ window, key: timer.key }, cause);
      }
    }
    this.rt.flush();
  }

  /** Returns false when every window was already too late. */
  private addToWindows(key: unknown, value: unknown, timestamp: number, windows: TimeWindow[]): boolean {
    let accepted = false;
    for (const window of windows) {
      if (this.isLate(window)) continue;
      accepted = true;
      this.addElement(key, value, timestamp, window, namespaceOf(window));
    }
    return accepted;
  }

  private addToSession(key: unknown, value: unknown, timestamp: number, windows: TimeWindow[]): boolean {
    let sessions = this.sessions.value() ?? [];
    let accepted = false;
    for (const added of windows) {
      const merge = addSessionWindow(sessions, added);
      sessions = merge.windows;
      if (merge.absorbed.length > 0) this.mergeInto(key, merge.window, merge.absorbed);
      if (this.isLate(merge.window)) {
        // A new window that is late at once is never opened (Flink retires it).
        if (merge.window === added) sessions = sessions.filter((w) => w !== added);
        continue;
      }
      accepted = true;
      this.addElement(key, value, timestamp, merge.window, namespaceOf(merge.window));
    }
    if (sessions.length > 0) this.sessions.update(sessions);
    else this.sessions.clear();
    return accepted;
  }

  private mergeInto(key: unknown, target: TimeWindow, absorbed: readonly TimeWindow[]): void {
    const targetNamespace = namespaceOf(target);
    this.rt.backend.mergeNamespaces(targetNamespace, absorbed.map(namespaceOf));
    this.trigger.onMerge?.(target, this.tctx.bind(key, target, targetNamespace));
    for (const window of absorbed) {
      const namespace = namespaceOf(window);
      this.trigger.clear(window, this.tctx.bind(key, window, namespace));
      this.deleteCleanupTimer(key, window, namespace);
    }
  }

  private addElement(
    key: unknown,
    value: unknown,
    timestamp: number,
    window: TimeWindow,
    namespace: string,
  ): void {
    this.contents.add(namespace, value, timestamp);
    const result = this.trigger.onElement(value, timestamp, window, this.tctx.bind(key, window, namespace));
    this.act(result, key, window, namespace);
    this.registerCleanupTimer(key, window, namespace);
  }

  private onTimer(timer: Timer, domain: 'event' | 'processing'): void {
    const { key, namespace, time } = timer;
    const window = windowOfNamespace(namespace);
    this.rt.backend.setCurrentKey(key);
    // A timer of a session window that has since merged into another one is stale.
    if (this.merging && !this.sessions.value()?.some((w) => w.start === window.start && w.end === window.end))
      return;
    try {
      const ctx = this.tctx.bind(key, window, namespace);
      const result =
        domain === 'event'
          ? this.trigger.onEventTime(time, window, ctx)
          : this.trigger.onProcessingTime(time, window, ctx);
      this.act(result, key, window, namespace);
      if (this.eventTime === (domain === 'event') && time === this.cleanupTime(window)) {
        this.clearAll(key, window, namespace);
      }
    } catch (cause) {
      throw this.failed({ window, key }, cause);
    }
  }

  private act(result: TriggerResult, key: unknown, window: TimeWindow, namespace: string): void {
    if (result === 'fire' || result === 'fire-and-purge')
      this.emitter.fire(key, window, namespace, this.contents);
    if (result === 'purge' || result === 'fire-and-purge') this.contents.clear(namespace);
  }

  /** Drops everything of a (key, window): contents, trigger state and timers, process window state. */
  private clearAll(key: unknown, window: TimeWindow, namespace: string): void {
    this.contents.clear(namespace);
    this.trigger.clear(window, this.tctx.bind(key, window, namespace));
    this.emitter.clear(window);
    this.rt.backend.clearNamespace(namespace);
    if (this.merging) {
      const left = (this.sessions.value() ?? []).filter(
        (w) => w.start !== window.start || w.end !== window.end,
      );
      if (left.length > 0) this.sessions.update(left);
      else this.sessions.clear();
    }
  }

  private isLate(window: TimeWindow): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.rt.watermark;
  }

  private cleanupTime(window: TimeWindow): number {
    const max = maxTimestampOf(window);
    return this.eventTime ? Math.min(max + this.lateness, MAX_TIMESTAMP) : max;
  }

  private registerCleanupTimer(key: unknown, window: TimeWindow, namespace: string): void {
    const time = this.cleanupTime(window);
    if (time >= MAX_TIMESTAMP) return; // the end of time never comes
    if (this.eventTime) this.rt.timers.registerEventTimer(key, namespace, time);
    else this.rt.registerProcessingTimer(key, namespace, time);
  }

  private deleteCleanupTimer(key: unknown, window: TimeWindow, namespace: string): void {
    const time = this.cleanupTime(window);
    if (this.eventTime) this.rt.timers.deleteEventTimer(key, namespace, time);
    else this.rt.timers.deleteProcessingTimer(key, namespace, time);
  }
}
