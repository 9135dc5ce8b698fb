import { isStreamError, StreamError } from '../../../common/errors.ts';
import type { KeySelector } from '../../../plan/functions.ts';
import type { PlanNodeOf } from '../../../plan/nodes.ts';
import type { SnapshotReader, SnapshotWriter, TimerEntry } from '../../../state/snapshot-format.ts';
import type { Batch } from '../../batch.ts';
import type { Operator, OperatorContext } from '../../operator.ts';
import { describeElement, userFunctionFailed, userHookFailed } from '../../user-function-error.ts';
import { keySelectorFor } from '../keyed/key-selector.ts';
import { KeyedRuntime } from '../keyed/keyed-runtime.ts';
import { restoredTimers } from '../keyed/timer-snapshots.ts';
import { isEventTimeAssigner } from './assigners.ts';
import { createEvictor } from './evictors.ts';
import { WindowEmitter } from './window-emitter.ts';

/** Counters a window operator keeps for metrics and tests. */
export interface WindowOperatorMetrics {
  /** Elements too late for all their windows, dropped because the window has no late side output. */
  readonly lateRecordsDropped: number;
}

/** What both window operators share: keys, lifecycle of the process function, late elements, errors. */
export abstract class WindowOperatorBase implements Operator<unknown, unknown> {
  protected readonly node: PlanNodeOf<'window'>;
  protected readonly name: string;
  protected readonly keyOf: KeySelector<unknown, unknown>;
  protected readonly eventTime: boolean;
  protected readonly lateness: number;
  protected rt!: KeyedRuntime;
  protected emitter!: WindowEmitter;
  private lateDropped = 0;
  private restored: TimerEntry[] | undefined;

  constructor(node: PlanNodeOf<'window'>) {
    this.node = node;
    this.name = node.name;
    this.keyOf = keySelectorFor(node, 0);
    this.eventTime = isEventTimeAssigner(node.assigner);
    this.lateness = this.eventTime ? node.allowedLateness : 0;
  }

  /**
   * Before open(): the restored timers, and whatever the operator keeps itself (restoreOwn). Window
   * contents, trigger and session state are keyed state, restored by the runtime. Late-record counters
   * start over.
   */
  restoreState(reader: SnapshotReader): void {
    this.restored = restoredTimers(reader);
    this.restoreOwn(reader);
  }

  async open(ctx: OperatorContext<unknown>): Promise<void> {
    this.rt = new KeyedRuntime(ctx);
    this.emitter = new WindowEmitter(
      this.node,
      this.rt,
      this.node.evictor && createEvictor(this.node.evictor),
    );
    if (this.restored !== undefined) this.rt.restoreTimers(this.restored);
    this.restored = undefined;
    this.setUp();
    const process = this.node.process;
    if (process?.open === undefined) return;
    try {
      await process.open(ctx.runtime);
    } catch (cause) {
      throw userHookFailed(this.name, 'open()', cause);
    }
  }

  abstract processBatch(batch: Batch<unknown>): void;

  snapshotState(_checkpointId: number, writer: SnapshotWriter): Promise<void> | undefined {
    this.snapshotOwn(writer);
    return this.rt.snapshotTimers(writer);
  }

  async close(): Promise<void> {
    const process = this.node.process;
    if (process?.close === undefined) return;
    try {
      await process.close();
    } catch (cause) {
      throw userHookFailed(this.name, 'close()', cause);
    }
  }

  metrics(): WindowOperatorMetrics {
    return { lateRecordsDropped: this.lateDropped };
  }

  /** Called at the end of open(), once the runtime (and restored timers) are there. */
  protected setUp(): void {}

  /** Reads what the operator keeps outside keyed state (before open()). */
  protected restoreOwn(_reader: SnapshotReader): void {}

  /** Writes what the operator keeps outside keyed state, synchronously (the cut). */
  protected snapshotOwn(_writer: SnapshotWriter): void {}

  /** An element too late for every window it belongs to: to the late side output, or dropped. */
  protected late(value: unknown, timestamp: number): void {
    if (this.node.lateOutput === undefined) this.lateDropped++;
    else this.rt.buffer.side(this.node.lateOutput, value, timestamp);
  }

  protected missingTimestamp(value: unknown): StreamError {
    return new StreamError(
      'ENG_MISSING_TIMESTAMP',
      `window "${this.name}" uses event time, but element ${describeElement(value)} has no timestamp; assign timestamps and watermarks at the source or with assignTimestampsAndWatermarks()`,
      { details: { operator: this.name } },
    );
  }

  /** Our own errors pass through; anything else came from user code. */
  protected failed(element: unknown, cause: unknown): StreamError {
    if (
      isStreamError(cause, 'ENG_MISSING_TIMESTAMP') ||
      isStreamError(cause, 'ENG_AGGREGATE_MERGE_MISSING')
    ) {
      return cause;
    }
    return userFunctionFailed(this.name, element, cause);
  }
}
