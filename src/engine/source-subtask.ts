import { MIN_TIMESTAMP } from '../common/time.ts';
import type { PlanNodeOf } from '../plan/nodes.ts';
import { BadRecordRouter } from './bad-records.ts';
import type { Batch } from './batch.ts';
import type { ChainLink } from './chain.ts';
import type { ConnectorResolver } from './connector-resolver.ts';
import type { SourcePositions } from './sink.ts';
import { checkpointingContext } from './sink-operator.ts';
import type { SourceChunk, SourceReader } from './source.ts';
import { Subtask, type SubtaskEnv } from './subtask.ts';
import { SplitWatermarks } from './watermarks/split-watermarks.ts';
import { stampElements } from './watermarks/timestamps.ts';

/** How long a source runs before it lets timers and I/O callbacks of the event loop run (ms). */
const YIELD_EVERY_MS = 5;

/** Longest a poll may wait when nothing else (watermarks, timers) needs the loop sooner (ms). */
const MAX_POLL_WAIT_MS = 100;

export interface SourceSubtaskOptions {
  readonly connectors: ConnectorResolver;
  readonly jobId: string;
  readonly bootstrap?: string;
}

/**
 * Drives one subtask of a source: waits for room downstream, polls the reader, stamps timestamps,
 * routes bad records, emits batches of at most batchSize values into the chain, and every watermark
 * interval emits the minimum watermark over its live, active splits (or says it is idle). When the
 * reader returns null the chain is finished with the MAX_TIMESTAMP watermark and 'end'.
 */
export class SourceSubtask extends Subtask {
  private readonly node: PlanNodeOf<'source'>;
  private readonly options: SourceSubtaskOptions;
  private readonly splits: SplitWatermarks | undefined;
  private reader: SourceReader<unknown> | undefined = undefined;
  private router: BadRecordRouter | undefined = undefined;
  private emitted = Number.NEGATIVE_INFINITY;
  /** A checkpoint whose barrier this source must inject before its next poll. */
  private barrierRequest: number | undefined = undefined;
  /** After a stop-with-savepoint barrier: emit nothing until resumed (the savepoint failed) or stopped. */
  private suspended = false;
  private readonly reject = (value: unknown, timestamp: number, error: string): void =>
    this.router!.rejectElement(value, timestamp, error, { source: this.node.name });

  constructor(
    name: string,
    node: PlanNodeOf<'source'>,
    links: ChainLink[],
    options: SourceSubtaskOptions,
    env: SubtaskEnv,
  ) {
    super(name, links, env);
    this.node = node;
    this.options = options;
    this.splits =
      node.watermarks.kind === 'none' ? undefined : new SplitWatermarks(node.watermarks, node.name);
  }

  protected async open(): Promise<void> {
    await this.openLinks();
    // A restored watermark holds from the start: nothing emitted later may go below it.
    if (this.links[0].watermark > this.emitted) this.emitted = this.links[0].watermark;
    const { connectors, jobId, bootstrap } = this.options;
    const { config, clock, control } = this.env;
    const head = this.links[0];
    const context = {
      jobName: config.jobName,
      jobId,
      operatorName: this.node.name,
      subtaskIndex: head.subtask,
      parallelism: head.context!.runtime.parallelism,
      bootstrap,
    };
    this.router = new BadRecordRouter({
      policy: this.node.badRecords,
      operatorName: this.node.name,
      counts: this.env.metrics.badRecords,
      createSink: (descriptor) => connectors.createSink(descriptor),
      sinkContext: {
        ...context,
        operatorName: `${this.node.name} (dead letters)`,
        ...checkpointingContext(config),
      },
    });
    await control.guard(this.router.open());
    this.reader = connectors.createSource(this.node.source);
    this.restorePositions(this.reader);
    await control.guard(
      this.reader.open({
        ...context,
        clock,
        batchSize: config.batchSize,
        signal: control.signal,
        ...checkpointingContext(config),
        logger: this.env.logger,
      }),
    );
  }

  protected async loop(): Promise<void> {
    const { control, clock, config } = this.env;
    const reader = this.reader!;
    const interval = config.watermarkInterval;
    let lastCheck = clock.now();
    if (this.emitted > MIN_TIMESTAMP) this.links[0].output.emitWatermark(this.emitted);
    let yielded = performance.now();
    for (;;) {
      // A source that always has data would otherwise run the job in microtasks only, and timers, file
      // writes and checkpoints would wait until its input ends: let the event loop in every few ms.
      if (performance.now() - yielded > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
      this.checkStopped();
      if (this.barrierRequest !== undefined || this.suspended) {
        await this.injectBarrier();
        continue;
      }
      if (this.outputsBlocked) {
        await this.waitForOutputs(true);
        continue;
      }
      const chunks = await control.guard(reader.poll(this.pollWait()));
      if (chunks === null) break;
      // Callbacks that came due while polling run before the new records, as in operator subtasks.
      this.fireTimers();
      const now = clock.now();
      for (const chunk of chunks) this.handleChunk(chunk, now);
      const written = this.router!.flush();
      if (written) this.track(written);
      if (this.tracksTime && now - lastCheck >= interval) {
        lastCheck = now;
        this.checkWatermark(now);
      }
    }
    // A barrier asked for during the last poll still goes out, with the final positions.
    while (this.barrierRequest !== undefined) await this.injectBarrier();
    this.reportFinished(reader.snapshotPositions?.());
    if (this.outputsBlocked) await this.waitForOutputs();
    await this.finishChain();
  }

  /** Called by the checkpoint coordinator once checkpoint `id` is durable: the dead-letter sink commits. */
  override commitSideSinks(id: number, positions: readonly SourcePositions[]): Promise<void> {
    return this.router?.commit(id, positions) ?? Promise.resolve();
  }

  override get isSource(): boolean {
    return true;
  }

  /** Called by the checkpoint coordinator: inject the barrier of checkpoint `id` between polls. */
  override requestBarrier(id: number): void {
    this.barrierRequest = id;
    this.interrupt();
  }

  /** A stop-with-savepoint failed: go on emitting. */
  override resume(): void {
    this.suspended = false;
    this.interrupt();
  }

  private async injectBarrier(): Promise<void> {
    const id = this.barrierRequest;
    if (id !== undefined) {
      this.barrierRequest = undefined;
      const stop = this.env.checkpoints?.target(id)?.stopSources === true;
      const positions = this.reader!.snapshotPositions?.();
      // Dead letters written before the barrier commit with this checkpoint (exactly-once dead-letter sinks).
      if (this.env.checkpoints?.target(id) !== undefined)
        await this.env.control.guard(this.router!.prepareCommit(id));
      await this.checkpoint(id, positions);
      if (stop) this.suspended = true;
    }
    if (this.suspended && this.barrierRequest === undefined) await this.env.control.guard(this.interrupted());
  }

  private restorePositions(reader: SourceReader<unknown>): void {
    const positions = this.env.restore?.get(this.node.id)?.positions;
    if (positions === undefined) return;
    if (reader.restorePositions !== undefined) reader.restorePositions(positions);
    else
      this.env.logger?.warn(
        { source: this.node.name },
        'this source cannot restore its positions; it starts from its beginning',
      );
  }

  protected async closeOwn(quiet: boolean): Promise<void> {
    const reader = this.reader;
    const router = this.router;
    this.reader = undefined;
    this.router = undefined;
    try {
      await reader?.close();
    } finally {
      await (quiet ? router?.abort() : router?.close());
    }
  }

  private handleChunk(chunk: SourceChunk<unknown>, now: number): void {
    const head = this.links[0];
    const split = this.splits?.split(chunk.split, now);
    const bad = chunk.bad;
    const count = chunk.values.length;
    head.metrics.recordsIn += count + (bad?.length ?? 0);
    if (bad !== undefined) for (const record of bad) this.router!.reject(record);
    if (count > 0) {
      if (split !== undefined) split.lastActive = now;
      this.setOutputIdle(false);
      const batch = stampElements(
        chunk.values,
        chunk.timestamps,
        this.node.watermarks,
        this.node.name,
        this.reject,
        split?.generator,
      );
      this.emitInBatches(batch);
    }
    if (chunk.ended === true && split !== undefined) split.ended = true;
  }

  private emitInBatches(batch: Batch<unknown>): void {
    const output = this.links[0].output;
    const size = this.env.config.batchSize;
    const count = batch.values.length;
    if (count <= size) {
      output.emit(batch);
      return;
    }
    for (let start = 0; start < count; start += size) {
      const end = Math.min(count, start + size);
      output.emit({ values: batch.values.slice(start, end), timestamps: batch.timestamps.slice(start, end) });
    }
  }

  /** Watermarks come from the node's strategy, or else from a reader that carries them (currentWatermark). */
  private get tracksTime(): boolean {
    return this.splits !== undefined || this.reader?.currentWatermark !== undefined;
  }

  private checkWatermark(now: number): void {
    const { watermark, idle } =
      this.splits !== undefined ? this.splits.check(now) : this.reader!.currentWatermark!();
    if (idle) {
      this.setOutputIdle(true);
      return;
    }
    this.setOutputIdle(false);
    if (watermark !== undefined && watermark > this.emitted) {
      this.emitted = watermark;
      // Kept on the head link too: a checkpoint records it there and a restore puts it back.
      this.links[0].watermark = watermark;
      this.links[0].output.emitWatermark(watermark);
    }
  }

  private pollWait(): number {
    const interval = this.env.config.watermarkInterval;
    let wait = !this.tracksTime ? MAX_POLL_WAIT_MS : Math.min(Math.max(interval, 1), MAX_POLL_WAIT_MS);
    const timers = this.timerDelay();
    if (timers < wait) wait = timers;
    return wait;
  }
}
