import type { Collector, KeyedRuntimeContext, OnTimerContext } from '../../../plan/functions.ts';
import type { SnapshotReader, SnapshotWriter, TimerEntry } from '../../../state/snapshot-format.ts';
import type { Timer } from '../../../state/timers.ts';
import type { Batch } from '../../batch.ts';
import type { Operator, OperatorContext } from '../../operator.ts';
import { userFunctionFailed, userHookFailed } from '../../user-function-error.ts';
import { KeyedFunctionContext } from './keyed-function-context.ts';
import { KeyedRuntime } from './keyed-runtime.ts';
import { restoredTimers } from './timer-snapshots.ts';

/** The lifecycle hooks keyed process and keyed co-process functions share. */
export interface KeyedFunctionHooks {
  open?(ctx: KeyedRuntimeContext): void | Promise<void>;
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>): void;
  close?(): void | Promise<void>;
}

/**
 * Base of the keyed process operators: opens the function with keyed state, and fires its timers.
 * Event timers fire before the watermark is forwarded and their outputs carry the timer's time;
 * processing timers' outputs carry no timestamp (as in Flink).
 */
export abstract class KeyedFunctionOperator implements Operator<unknown, unknown> {
  protected readonly name: string;
  protected rt!: KeyedRuntime;
  protected fctx!: KeyedFunctionContext;
  private readonly hooks: KeyedFunctionHooks;
  private readonly fireEvent = (timer: Timer): void => this.fire(timer, 'event');
  private readonly fireProcessing = (timer: Timer): void => this.fire(timer, 'processing');
  private restored: TimerEntry[] | undefined;

  constructor(name: string, hooks: KeyedFunctionHooks) {
    this.name = name;
    this.hooks = hooks;
  }

  /** Before open(): keep the restored timers; keyed state is restored by the runtime. */
  restoreState(reader: SnapshotReader): void {
    this.restored = restoredTimers(reader);
  }

  async open(ctx: OperatorContext<unknown>): Promise<void> {
    this.rt = new KeyedRuntime(ctx);
    this.fctx = new KeyedFunctionContext(this.rt);
    if (this.restored !== undefined) this.rt.restoreTimers(this.restored);
    this.restored = undefined;
    if (this.hooks.open === undefined) return;
    try {
      await this.hooks.open(this.rt.runtimeContext());
    } catch (cause) {
      throw userHookFailed(this.name, 'open()', cause);
    }
  }

  abstract processBatch(batch: Batch<unknown>, port: number): void;

  /** Keyed state is the runtime's to snapshot; the timers are the operator's. */
  snapshotState(_checkpointId: number, writer: SnapshotWriter): Promise<void> | undefined {
    return this.rt.snapshotTimers(writer);
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

  async close(): Promise<void> {
    if (this.hooks.close === undefined) return;
    try {
      await this.hooks.close();
    } catch (cause) {
      throw userHookFailed(this.name, 'close()', cause);
    }
  }

  /** Sets the key and context for one element; the caller then invokes the user function. */
  protected enter(key: unknown, timestamp: number): void {
    this.rt.backend.setCurrentKey(key);
    this.fctx.key = key;
    this.fctx.timestamp = timestamp;
    this.rt.buffer.main.timestamp = timestamp;
  }

  private fire(timer: Timer, domain: 'event' | 'processing'): void {
    const onTimer = this.hooks.onTimer;
    if (onTimer === undefined) return;
    this.rt.backend.setCurrentKey(timer.key);
    const ctx = this.fctx;
    ctx.key = timer.key;
    ctx.timestamp = timer.time;
    ctx.timeDomain = domain;
    this.rt.buffer.main.timestamp = domain === 'event' ? timer.time : Number.NaN;
    try {
      onTimer.call(this.hooks, timer.time, ctx, this.rt.buffer.main);
    } catch (cause) {
      throw userFunctionFailed(this.name, { timer: timer.time, domain, key: timer.key }, cause);
    }
  }
}
