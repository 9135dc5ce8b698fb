import type { ReduceFunction } from '../../../plan/functions.ts';
import type { PlanNodeOf } from '../../../plan/nodes.ts';
import type { AggregateFunction } from '../../../plan/state.ts';
import type { TimeWindow } from '../../../plan/windows.ts';
import { keyGroupOf } from '../../../state/key-groups.ts';
import { mapKeyOf } from '../../../state/key-identity.ts';
import {
  type KeyedStateEntry,
  OPERATOR_STATE_PREFIX,
  type SnapshotReader,
  type SnapshotWriter,
} from '../../../state/snapshot-format.ts';
import type { Batch } from '../../batch.ts';
import { alignedStart, namespaceOf, windowOfNamespace } from './assigners.ts';
import { WindowOperatorBase } from './window-operator-base.ts';

/**
 * Snapshot entries of the buckets: per (key, window) the value [accumulator, fired, order], where
 * order is the key's place in the window (results come out in that order).
 */
const BUCKETS = `${OPERATOR_STATE_PREFIX}window-buckets`;

/** One aligned window for all keys: key → accumulator (or reduced value). */
class Bucket {
  readonly window: TimeWindow;
  readonly maxTimestamp: number;
  /** The watermark passed the window's end (results went out; late elements re-fire their key). */
  fired: boolean;
  readonly accumulators = new Map<unknown, unknown>();
  /** The original key of each non-primitive key (the Map above is keyed by its JSON text). */
  originalKeys: Map<unknown, unknown> | undefined;
  /**
   * Keys whose result went out although the window has not fired here: restored from a subtask whose
   * watermark had passed the window (after rescaling, old subtasks may have been at different points).
   */
  firedKeys: Set<unknown> | undefined;

  constructor(start: number, end: number, fired: boolean) {
    this.window = { start, end };
    this.maxTimestamp = end - 1;
    this.fired = fired;
  }

  keyOf(mapKey: unknown): unknown {
    return this.originalKeys?.has(mapKey) ? this.originalKeys.get(mapKey) : mapKey;
  }
}

/** Whether a window node can take the fast path: aligned windows, their default trigger, incremental. */
export function isAlignedWindow(node: PlanNodeOf<'window'>): boolean {
  const { assigner } = node;
  if (assigner.kind !== 'tumbling' && assigner.kind !== 'sliding') return false;
  if (node.evictor !== undefined || (node.reduce === undefined && node.aggregate === undefined)) return false;
  return node.trigger.kind === (assigner.time === 'event' ? 'event-time' : 'processing-time');
}

/**
 * Tumbling and sliding windows with the default trigger and a reduce or aggregate function (optionally
 * followed by a process function). All windows end on shared boundaries, so instead of a timer per
 * (key, window) it keeps a Map per window end → key → accumulator and fires whole windows when the
 * watermark (or clock) passes their end. The per-element path allocates nothing for primitive keys
 * and accumulators. Same results as the generic operator, including allowed lateness.
 */
export class AlignedWindowOperator extends WindowOperatorBase {
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly reduce: ReduceFunction<unknown> | undefined;
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown> | undefined;
  private readonly buckets = new Map<number, Bucket>();
  /** Bucket ends, ascending. */
  private readonly ends: number[] = [];
  private lastBucket: Bucket | undefined;
  private restoredBuckets: KeyedStateEntry[] | undefined;

  constructor(node: PlanNodeOf<'window'>) {
    super(node);
    const assigner = node.assigner as Extract<
      PlanNodeOf<'window'>['assigner'],
      { kind: 'tumbling' | 'sliding' }
    >;
    this.size = assigner.size;
    this.slide = assigner.kind === 'sliding' ? assigner.slide : assigner.size;
    this.offset = assigner.offset;
    this.reduce = node.reduce;
    this.aggregate = node.aggregate;
  }

  processBatch(batch: Batch<unknown>): void {
    const { values, timestamps } = batch;
    const { size, slide, offset, eventTime } = this;
    const now = this.rt.clock.now();
    let i = 0;
    try {
      for (; i < values.length; i++) {
        const value = values[i];
        const time = eventTime ? timestamps[i] : now;
        if (Number.isNaN(time)) throw this.missingTimestamp(value);
        const key = this.keyOf(value);
        const last = alignedStart(time, offset, slide);
        let accepted = this.add(last, key, value);
        for (let start = last - slide; start > time - size; start -= slide) {
          accepted = this.add(start, key, value) || accepted;
        }
        if (!accepted) this.late(value, timestamps[i]);
      }
    } catch (cause) {
      throw this.failed(values[i], cause);
    }
    this.rt.flush();
  }

  onWatermark(time: number): void {
    this.rt.advanceWatermark(time);
    if (this.eventTime) {
      try {
        for (const end of this.ends) {
          if (end - 1 > time) break;
          const bucket = this.buckets.get(end)!;
          if (!bucket.fired) this.fireBucket(bucket);
        }
        while (this.ends.length > 0 && this.ends[0] - 1 + this.lateness <= time) this.dropFirst();
      } catch (cause) {
        throw this.failed({ watermark: time }, cause);
      }
    }
    this.rt.flush();
    this.rt.ctx.output.emitWatermark(time);
  }

  onProcessingTime(now: number): void {
    if (!this.eventTime) this.fireProcessingUpTo(now);
    this.rt.processingTimeDelivered(now);
    if (this.ends.length > 0) this.rt.requestProcessingTime(this.ends[0] - 1);
    this.rt.flush();
  }

  /** The buckets are the operator's own state: one entry per (key, window), in its key's key group. */
  protected override snapshotOwn(writer: SnapshotWriter): void {
    const maxParallelism = this.rt.ctx.maxParallelism;
    for (const end of this.ends) {
      const bucket = this.buckets.get(end)!;
      const namespace = namespaceOf(bucket.window);
      let order = 0;
      for (const [mapKey, accumulator] of bucket.accumulators) {
        const key = bucket.keyOf(mapKey);
        const fired = bucket.fired || bucket.firedKeys?.has(mapKey) === true;
        const value = [accumulator, fired, order++];
        writer.keyedEntry(keyGroupOf(key, maxParallelism), { state: BUCKETS, key, namespace, value });
      }
    }
  }

  protected override restoreOwn(reader: SnapshotReader): void {
    this.restoredBuckets = [];
    for (const { entry } of reader.keyedEntries())
      if (entry.state === BUCKETS) this.restoredBuckets.push(entry);
  }

  /** Rebuilds restored buckets, keys in their original order (entries from several old subtasks mix). */
  protected override setUp(): void {
    const byWindow = new Map<string, KeyedStateEntry[]>();
    for (const entry of this.restoredBuckets ?? []) {
      const list = byWindow.get(entry.namespace);
      if (list === undefined) byWindow.set(entry.namespace, [entry]);
      else list.push(entry);
    }
    this.restoredBuckets = undefined;
    const order = (entry: KeyedStateEntry) => (entry.value as [unknown, boolean, number])[2];
    for (const [namespace, entries] of byWindow) {
      const window = windowOfNamespace(namespace);
      const bucket = this.bucketFor(window.start, window.end);
      bucket.fired = entries.every((entry) => (entry.value as [unknown, boolean])[1]);
      for (const entry of entries.sort((a, b) => order(a) - order(b))) {
        const [accumulator, fired] = entry.value as [unknown, boolean];
        const { key } = entry;
        const mapKey = typeof key === 'object' && key !== null ? this.rememberKey(bucket, key) : key;
        bucket.accumulators.set(mapKey, accumulator);
        if (fired && !bucket.fired) {
          bucket.firedKeys ??= new Set();
          bucket.firedKeys.add(mapKey);
        }
      }
    }
    this.lastBucket = undefined;
  }

  /** Processing-time windows still open when the input ends fire once with what they hold. */
  endInput(): void {
    if (!this.eventTime) this.fireProcessingUpTo(Number.POSITIVE_INFINITY);
    this.rt.flush();
  }

  /** Adds an element to the window starting at `start`; false when that window is too late. */
  private add(start: number, key: unknown, value: unknown): boolean {
    const end = start + this.size;
    const watermark = this.rt.watermark;
    if (this.eventTime && end - 1 + this.lateness <= watermark) return false;
    let bucket = this.lastBucket;
    if (bucket === undefined || bucket.window.end !== end) bucket = this.bucketFor(start, end);
    const mapKey = typeof key === 'object' && key !== null ? this.rememberKey(bucket, key) : key;
    const accumulators = bucket.accumulators;
    const previous = accumulators.get(mapKey);
    let next: unknown;
    if (this.aggregate !== undefined) {
      next = this.aggregate.add(
        value,
        previous === undefined ? this.aggregate.createAccumulator() : previous,
      );
    } else next = previous === undefined ? value : this.reduce!(previous, value);
    accumulators.set(mapKey, next);
    // A late-but-allowed element updates a window that already fired: fire its key again.
    if (bucket.fired || bucket.firedKeys?.has(mapKey)) this.emit(bucket, key, next);
    return true;
  }

  private bucketFor(start: number, end: number): Bucket {
    let bucket = this.buckets.get(end);
    if (bucket === undefined) {
      bucket = new Bucket(start, end, this.eventTime && end - 1 <= this.rt.watermark);
      this.buckets.set(end, bucket);
      let at = this.ends.length;
      while (at > 0 && this.ends[at - 1] > end) at--;
      this.ends.splice(at, 0, end);
      if (!this.eventTime) this.rt.requestProcessingTime(end - 1);
    }
    this.lastBucket = bucket;
    return bucket;
  }

  private rememberKey(bucket: Bucket, key: unknown): unknown {
    const mapKey = mapKeyOf(key);
    bucket.originalKeys ??= new Map();
    if (!bucket.originalKeys.has(mapKey)) bucket.originalKeys.set(mapKey, key);
    return mapKey;
  }

  private fireBucket(bucket: Bucket): void {
    bucket.fired = true;
    for (const [mapKey, accumulator] of bucket.accumulators) {
      if (bucket.firedKeys?.has(mapKey)) continue;
      this.emit(bucket, bucket.keyOf(mapKey), accumulator);
    }
    bucket.firedKeys = undefined;
  }

  private emit(bucket: Bucket, key: unknown, accumulator: unknown): void {
    const result = this.aggregate === undefined ? accumulator : this.aggregate.getResult(accumulator);
    if (this.node.process !== undefined) this.rt.backend.setCurrentKey(key);
    this.emitter.emitResult(key, bucket.window, result);
  }

  private fireProcessingUpTo(now: number): void {
    try {
      while (this.ends.length > 0 && this.ends[0] - 1 <= now) {
        this.fireBucket(this.buckets.get(this.ends[0])!);
        this.dropFirst();
      }
    } catch (cause) {
      throw this.failed({ processingTime: now }, cause);
    }
  }

  /** Forgets the earliest window; a process function first drops its per-window state. */
  private dropFirst(): void {
    const end = this.ends.shift()!;
    const bucket = this.buckets.get(end)!;
    this.buckets.delete(end);
    if (this.lastBucket === bucket) this.lastBucket = undefined;
    if (this.node.process === undefined) return;
    const namespace = namespaceOf(bucket.window);
    for (const mapKey of bucket.accumulators.keys()) {
      const key = bucket.keyOf(mapKey);
      this.rt.backend.setCurrentKey(key);
      this.emitter.clear(bucket.window);
      this.rt.backend.clearNamespace(namespace);
    }
  }
}
