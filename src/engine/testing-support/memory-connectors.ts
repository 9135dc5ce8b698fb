import type { SinkDescriptor, SourceDescriptor } from '../../plan/connectors.ts';
import type { Batch } from '../batch.ts';
import type { ConnectorResolver } from '../connector-resolver.ts';
import type { SinkContext, SinkWriter } from '../sink.ts';
import type { RawBadRecord, SourceChunk, SourceContext, SourceReader, SplitPosition } from '../source.ts';
import { TransactionalMemorySink } from './transactional-sink.ts';

/** A chunk as tests write it; split defaults to 's0', timestamps to NaN. */
export interface MemoryChunk {
  readonly split?: string;
  readonly values?: unknown[];
  readonly timestamps?: number[];
  readonly bad?: RawBadRecord[];
  readonly ended?: boolean;
}

/**
 * An in-memory source for engine tests. Chunks are handed out one per poll; a split belongs to subtask
 * (order of first appearance mod parallelism). A bounded source ends once its chunks are read; an
 * open one (`bounded: false`) waits for `push()` until `end()`.
 *
 * @example
 * const clicks = connectors.source('clicks', { chunks: [{ values: [1, 2, 3] }] });
 * plan node: { kind: 'source', source: clicks.descriptor, ... }
 */
export class MemorySource {
  readonly descriptor: SourceDescriptor<unknown>;
  polls = 0;
  /** Calls of snapshotPositions: one per checkpoint barrier this source injected. */
  positionSnapshots = 0;
  opened = 0;
  closed = 0;
  private readonly chunks: { chunk: SourceChunk<unknown>; splitIndex: number }[] = [];
  private readonly splitIndexes = new Map<string, number>();
  private ended: boolean;
  private wakers = new Set<() => void>();
  private pollWaiters: { count: number; resolve: () => void }[] = [];
  private held: { promise: Promise<void>; release: () => void } | undefined = undefined;
  private positionWaiters: { count: number; resolve: () => void }[] = [];

  constructor(name: string, options: { chunks?: readonly MemoryChunk[]; bounded?: boolean } = {}) {
    this.descriptor = { connector: 'memory', config: { name }, bounded: options.bounded ?? true };
    this.ended = options.bounded ?? true;
    for (const chunk of options.chunks ?? []) this.add(chunk);
  }

  push(...chunks: MemoryChunk[]): void {
    for (const chunk of chunks) this.add(chunk);
    this.wake();
  }

  /** No more chunks: readers return null once they have read theirs. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Makes every poll (also one already waiting) return nothing until release(): the source stays silent. */
  hold(): void {
    if (this.held !== undefined) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  /** Resolves once poll() has been called `count` times in total. */
  waitForPolls(count: number): Promise<void> {
    if (this.polls >= count) return Promise.resolve();
    return new Promise((resolve) => this.pollWaiters.push({ count, resolve }));
  }

  /**
   * A reader whose position is its cursor in the chunk list (per subtask), so a restored job goes on
   * after the last chunk of the checkpoint.
   */
  reader(): SourceReader<unknown> {
    let cursor = 0;
    let restored: readonly SplitPosition[] | undefined;
    let context: SourceContext;
    const next = (): SourceChunk<unknown> | undefined => {
      while (cursor < this.chunks.length) {
        const { chunk, splitIndex } = this.chunks[cursor++];
        if (splitIndex % context.parallelism === context.subtaskIndex) return chunk;
      }
      return undefined;
    };
    return {
      restorePositions: (positions) => {
        restored = positions;
      },
      open: async (ctx) => {
        context = ctx;
        this.opened++;
        const own = restored?.find((p) => p.split === `memory-${ctx.subtaskIndex}`);
        if (own !== undefined) cursor = own.position as number;
      },
      snapshotPositions: () => {
        this.positionSnapshots++;
        this.wakePositionWaiters();
        return [{ split: `memory-${context.subtaskIndex}`, position: cursor }];
      },
      poll: async (maxWaitMs) => {
        this.polls++;
        this.pollWaiters = this.pollWaiters.filter((waiter) => {
          if (this.polls < waiter.count) return true;
          waiter.resolve();
          return false;
        });
        if (await this.waitWhileHeld()) return [];
        const chunk = next();
        if (chunk !== undefined) return [chunk];
        if (this.ended) return null;
        await this.sleep(maxWaitMs, context.signal);
        if (await this.waitWhileHeld()) return [];
        const late = next();
        return late === undefined ? [] : [late];
      },
      close: async () => {
        this.closed++;
      },
    };
  }

  /** Resolves once a reader took its positions for a barrier `count` times in total. */
  waitForPositionSnapshots(count: number): Promise<void> {
    if (this.positionSnapshots >= count) return Promise.resolve();
    return new Promise((resolve) => this.positionWaiters.push({ count, resolve }));
  }

  private wakePositionWaiters(): void {
    this.positionWaiters = this.positionWaiters.filter((waiter) => {
      if (this.positionSnapshots < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  /** True (after the release) when the source was held. */
  private async waitWhileHeld(): Promise<boolean> {
    const held = this.held;
    if (held === undefined) return false;
    await held.promise;
    return true;
  }

  private add(chunk: MemoryChunk): void {
    const split = chunk.split ?? 's0';
    let splitIndex = this.splitIndexes.get(split);
    if (splitIndex === undefined) {
      splitIndex = this.splitIndexes.size;
      this.splitIndexes.set(split, splitIndex);
    }
    const values = chunk.values ?? [];
    const timestamps = chunk.timestamps ?? values.map(() => Number.NaN);
    this.chunks.push({
      chunk: { split, values, timestamps, bad: chunk.bad, ended: chunk.ended },
      splitIndex,
    });
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

export interface WrittenRecord {
  readonly value: unknown;
  readonly timestamp: number;
  readonly subtask: number;
}

/**
 * Collects what a sink receives. `pause()` makes every write return a promise that settles on
 * `resume()`, which is how tests hold a sink back; `failOn` makes a write throw.
 */
export class MemorySink {
  readonly descriptor: SinkDescriptor<unknown>;
  readonly records: WrittenRecord[] = [];
  readonly batchSizes: number[] = [];
  readonly contexts: SinkContext[] = [];
  /** For each flush, how many records that writer had written before it. */
  readonly writtenBeforeFlush: number[] = [];
  opened = 0;
  closed = 0;
  flushed = 0;
  failOn: ((value: unknown) => boolean) | undefined = undefined;
  private gate: { promise: Promise<void>; release: () => void } | undefined = undefined;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(name: string) {
    this.descriptor = { connector: 'memory', config: { name } };
  }

  get values(): unknown[] {
    return this.records.map((record) => record.value);
  }

  pause(): void {
    if (this.gate !== undefined) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = { promise, release };
  }

  resume(): void {
    this.gate?.release();
    this.gate = undefined;
  }

  /** Resolves once at least `count` records were written. */
  waitFor(count: number): Promise<void> {
    if (this.records.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  writer(): SinkWriter<unknown> {
    let subtask = 0;
    let written = 0;
    return {
      open: async (ctx) => {
        subtask = ctx.subtaskIndex;
        this.contexts.push(ctx);
        this.opened++;
      },
      write: (batch: Batch<unknown>) => {
        for (const value of batch.values) {
          if (this.failOn?.(value)) throw new Error(`sink refused ${JSON.stringify(value)}`);
        }
        this.batchSizes.push(batch.values.length);
        written += batch.values.length;
        batch.values.forEach((value, i) => {
          this.records.push({ value, timestamp: batch.timestamps[i], subtask });
        });
        this.waiters = this.waiters.filter((waiter) => {
          if (this.records.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
        return this.gate?.promise;
      },
      flush: async () => {
        this.writtenBeforeFlush.push(written);
        this.flushed++;
      },
      close: async () => {
        this.closed++;
      },
    };
  }
}

/**
 * A ConnectorResolver over named in-memory sources and sinks (connector id 'memory').
 *
 * @example
 * const connectors = new MemoryConnectors();
 * const out = connectors.sink('out');
 * await executeJob(plan, { connectors }).done;
 */
export class MemoryConnectors implements ConnectorResolver {
  readonly sources = new Map<string, MemorySource>();
  readonly sinks = new Map<string, MemorySink>();
  readonly transactionalSinks = new Map<string, TransactionalMemorySink>();
  /** What committedCheckpoint answers (as the Kafka exactly-once sink's offsets would); undefined: not asked. */
  committed: number | undefined = undefined;

  source(name: string, options?: { chunks?: readonly MemoryChunk[]; bounded?: boolean }): MemorySource {
    const source = new MemorySource(name, options);
    this.sources.set(name, source);
    return source;
  }

  sink(name: string): MemorySink {
    const sink = new MemorySink(name);
    this.sinks.set(name, sink);
    return sink;
  }

  async committedCheckpoint(): Promise<number | undefined> {
    return this.committed;
  }

  /** A sink whose output becomes visible only when a checkpoint commits (see TransactionalMemorySink). */
  transactionalSink(name: string): TransactionalMemorySink {
    const sink = new TransactionalMemorySink(name);
    this.transactionalSinks.set(name, sink);
    return sink;
  }

  createSource(descriptor: SourceDescriptor<unknown>): SourceReader<unknown> {
    const source = this.sources.get(String(descriptor.config.name));
    if (source === undefined) throw new Error(`no memory source named ${String(descriptor.config.name)}`);
    return source.reader();
  }

  createSink(descriptor: SinkDescriptor<unknown>): SinkWriter<unknown> {
    const transactional = this.transactionalSinks.get(String(descriptor.config.name));
    if (transactional !== undefined) return transactional.writer();
    const sink = this.sinks.get(String(descriptor.config.name));
    if (sink === undefined) throw new Error(`no memory sink named ${String(descriptor.config.name)}`);
    return sink.writer();
  }
}
