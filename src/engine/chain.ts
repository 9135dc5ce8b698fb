import { MIN_TIMESTAMP } from '../common/time.ts';
import type { PlanNode } from '../plan/nodes.ts';
import type { KeyedStateBackend } from '../state/backend.ts';
import type { Batch } from './batch.ts';
import type { Exchange } from './exchange.ts';
import type { OperatorMetrics } from './metrics.ts';
import type { Operator, OperatorContext, Output } from './operator.ts';
import { enterKeyedState, leaveKeyedState } from './operators/keyed/routed-state.ts';
import { ProcessingTimes } from './processing-times.ts';
import type { SinkOperator } from './sink-operator.ts';

/** What a link needs from its task: somewhere to park promises the task must await before going on. */
export interface LinkHost {
  track(promise: Promise<void>): void;
}

/**
 * Where one operator's results go: operators chained behind it (called synchronously) and exchanges
 * to other tasks. Side outputs only ever go to exchanges, since side-output edges are never chained.
 */
export class LinkOutput implements Output<unknown> {
  readonly chained: ChainLink[] = [];
  readonly exchanges: Exchange[] = [];
  readonly sideExchanges = new Map<string, Exchange[]>();
  private readonly metrics: OperatorMetrics;
  private lastWatermark = MIN_TIMESTAMP;

  constructor(metrics: OperatorMetrics) {
    this.metrics = metrics;
  }

  emit(batch: Batch<unknown>): void {
    const size = batch.values.length;
    if (size === 0) return;
    this.metrics.recordsOut += size;
    for (let i = 0; i < this.chained.length; i++) this.chained[i].receive(batch, this.chained[i].port);
    for (let i = 0; i < this.exchanges.length; i++) this.exchanges[i].send(batch);
  }

  emitWatermark(time: number): void {
    if (time <= this.lastWatermark) return;
    this.lastWatermark = time;
    for (const link of this.chained) link.advanceWatermark(time);
    const message = { kind: 'watermark', time } as const;
    for (const exchange of this.exchanges) exchange.broadcast(message);
    for (const exchanges of this.sideExchanges.values())
      for (const exchange of exchanges) exchange.broadcast(message);
  }

  emitSide(tag: string, batch: Batch<unknown>): void {
    const size = batch.values.length;
    if (size === 0) return;
    const exchanges = this.sideExchanges.get(tag);
    if (exchanges === undefined) return;
    this.metrics.recordsOut += size;
    for (const exchange of exchanges) exchange.send(batch);
  }
}

/**
 * One operator (or the source) inside a task, with its metrics, its watermark and the processing
 * times it asked for. A source's link has no operator: the task emits into its output directly.
 */
/** Runs `action` with this link's keyed backend as the one user state handles reach (open, endInput). */
export function withLinkState<T>(link: ChainLink, action: () => T): T {
  const previous = enterKeyedState(link.keyedState);
  try {
    return action();
  } finally {
    leaveKeyedState(previous);
  }
}

export class ChainLink {
  readonly node: PlanNode;
  readonly subtask: number;
  /** The input port chained records arrive on. */
  readonly port: number;
  readonly metrics: OperatorMetrics;
  readonly output: LinkOutput;
  readonly times = new ProcessingTimes();
  operator: Operator<unknown, unknown> | undefined = undefined;
  context: OperatorContext<unknown> | undefined = undefined;
  keyedState: KeyedStateBackend | undefined = undefined;
  /** Sink links: the same object as `operator`, with its two-phase-commit calls. */
  sink: SinkOperator | undefined = undefined;
  /** The last watermark this operator received. */
  watermark = MIN_TIMESTAMP;
  /** The subtask running this link; set when the subtask is built. */
  host: LinkHost | undefined = undefined;

  constructor(node: PlanNode, subtask: number, metrics: OperatorMetrics) {
    this.node = node;
    this.subtask = subtask;
    this.port = node.inputs.length === 1 ? node.inputs[0].port : 0;
    this.metrics = metrics;
    this.output = new LinkOutput(metrics);
  }

  receive(batch: Batch<unknown>, port: number): void {
    this.metrics.recordsIn += batch.values.length;
    const previous = enterKeyedState(this.keyedState);
    let result: void | Promise<void>;
    try {
      result = this.operator!.processBatch(batch, port);
    } finally {
      leaveKeyedState(previous);
    }
    if (result !== undefined) this.host!.track(result);
  }

  advanceWatermark(time: number): void {
    if (time <= this.watermark) return;
    this.watermark = time;
    const operator = this.operator;
    const previous = enterKeyedState(this.keyedState);
    try {
      if (operator?.onWatermark) operator.onWatermark(time);
      else this.output.emitWatermark(time);
    } finally {
      leaveKeyedState(previous);
    }
  }

  /** Calls onProcessingTime when a requested time is due; true when it did. */
  fireDue(now: number): boolean {
    if (this.times.next > now || !this.times.takeDue(now)) return false;
    const previous = enterKeyedState(this.keyedState);
    try {
      this.operator?.onProcessingTime?.(now);
    } finally {
      leaveKeyedState(previous);
    }
    return true;
  }
}
