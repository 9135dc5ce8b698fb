import type { Clock } from '../../../common/time.ts';
import type { KeyedRuntimeContext } from '../../../plan/functions.ts';
import type { KeyedStateBackend } from '../../../state/backend.ts';
import { createHeapStateBackend } from '../../../state/heap-backend.ts';
import type { SnapshotWriter, TimerEntry } from '../../../state/snapshot-format.ts';
import { TimerService } from '../../../state/timers.ts';
import type { OperatorContext } from '../../operator.ts';
import { OutputBuffer } from './output-buffer.ts';
import { routedStore } from './routed-state.ts';
import { snapshotTimers } from './timer-snapshots.ts';

/**
 * What every keyed operator holds at run time: the state backend, its timers, the output buffer, the
 * watermark it has seen, and its processing-time callbacks (it asks the task only for the earliest
 * timer, and again for the next one after each callback).
 */
export class KeyedRuntime {
  readonly ctx: OperatorContext<unknown>;
  readonly backend: KeyedStateBackend;
  readonly timers = new TimerService();
  readonly buffer = new OutputBuffer();
  readonly clock: Clock;
  /** Starts at the restored watermark after a restore (the runtime puts it in the context). */
  watermark: number;
  private requested = Number.POSITIVE_INFINITY;

  constructor(ctx: OperatorContext<unknown>) {
    this.ctx = ctx;
    this.clock = ctx.clock;
    this.watermark = ctx.currentWatermark();
    this.backend =
      ctx.keyedState ??
      createHeapStateBackend({
        clock: ctx.clock,
        keyGroups: ctx.keyGroups ?? { start: 0, end: ctx.maxParallelism - 1 },
        maxParallelism: ctx.maxParallelism,
      });
  }

  /** What keyed user functions get in open(). */
  runtimeContext(): KeyedRuntimeContext {
    // Routed: a handle kept in a closure shared by parallel subtasks still reaches the right backend.
    return { ...this.ctx.runtime, state: routedStore(this.backend) };
  }

  registerProcessingTimer(key: unknown, namespace: string, time: number): void {
    if (this.timers.registerProcessingTimer(key, namespace, time)) this.requestProcessingTime(time);
  }

  /** Asks for a callback at `time` unless an earlier one is already pending. */
  requestProcessingTime(time: number): void {
    if (time >= this.requested) return;
    this.requested = time;
    this.ctx.requestProcessingTime(time);
  }

  /** After a processing-time callback: forget what was delivered, ask for the next due timer. */
  processingTimeDelivered(now: number): void {
    if (this.requested <= now) this.requested = Number.POSITIVE_INFINITY;
    const next = this.timers.nextProcessingTime();
    if (next !== undefined) this.requestProcessingTime(next);
  }

  /** Writes the timers to a snapshot (the cut now, the writing asynchronous). */
  snapshotTimers(writer: SnapshotWriter): Promise<void> | undefined {
    return snapshotTimers(this.timers, writer, this.ctx.maxParallelism);
  }

  /** Registers restored timers (sorted by restoredTimers), asking for processing-time callbacks. */
  restoreTimers(timers: readonly TimerEntry[]): void {
    for (const { domain, key, namespace, time } of timers) {
      if (domain === 'event') this.timers.registerEventTimer(key, namespace, time);
      else this.registerProcessingTimer(key, namespace, time);
    }
  }

  advanceWatermark(time: number): void {
    if (time > this.watermark) this.watermark = time;
  }

  flush(): void {
    this.buffer.flush(this.ctx.output);
  }
}
