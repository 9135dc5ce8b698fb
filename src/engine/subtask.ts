import type { Logger } from 'pino';
import { type Clock, MAX_TIMESTAMP, systemClock } from '../common/time.ts';
import type { JobConfig, NodeId } from '../plan/nodes.ts';
import { type ChainLink, type LinkHost, withLinkState } from './chain.ts';
import type { ChannelWriter } from './channel.ts';
import { finishedLinks, type NodeRestore, restoreChain, snapshotChain } from './checkpoint/chain-snapshot.ts';
import type { CheckpointHost, CheckpointParticipant } from './checkpoint/host.ts';
import { type JobControl, STOPPED } from './job-control.ts';
import type { MetricsRegistry } from './metrics.ts';
import type { SourcePositions } from './sink.ts';
import type { SplitPosition } from './source.ts';

/** A clock other than the system clock is stepped by hand; waits re-check it this often (ms). */
const MANUAL_CLOCK_RECHECK_MS = 10;

export interface SubtaskEnv {
  readonly control: JobControl;
  readonly clock: Clock;
  readonly config: JobConfig;
  readonly metrics: MetricsRegistry;
  readonly logger?: Logger;
  /** Present when the job can take checkpoints or savepoints. */
  readonly checkpoints?: CheckpointHost;
  /** State to load before the links open, by plan node. */
  readonly restore?: ReadonlyMap<NodeId, NodeRestore>;
}

/**
 * What source and operator subtasks share: the chain of links, promise tracking, backpressure on the
 * output channels, processing-time callbacks, the idle status sent downstream, end of input and closing.
 * A subtask never throws out of `run`: failures go to the JobControl, and everything opened is closed.
 */
export abstract class Subtask implements LinkHost, CheckpointParticipant {
  readonly name: string;
  /** In plan order; links[0] is the head. */
  readonly links: ChainLink[];
  readonly outputChannels: ChannelWriter[] = [];
  protected readonly env: SubtaskEnv;
  protected outputIdle = false;
  private pending: Promise<void>[] = [];
  private opened: ChainLink[] = [];
  /** One shared promise for everything waiting on interrupt(), so repeated waits do not pile up. */
  private interruptSignal: { promise: Promise<boolean>; wake: () => void } | undefined = undefined;
  private lastBarrier = 0;
  /** Set once the subtask started closing: the coordinator no longer calls into its links. */
  closing = false;

  constructor(name: string, links: ChainLink[], env: SubtaskEnv) {
    this.name = name;
    this.links = links;
    this.env = env;
  }

  /** Opens, runs to the end of input (or until the job stops), closes. Never rejects. */
  async run(): Promise<void> {
    try {
      await this.open();
      await this.loop();
      await this.close(false);
    } catch (error) {
      this.env.control.fail(error, this.name);
    } finally {
      await this.close(true);
    }
  }

  protected abstract open(): Promise<void>;
  protected abstract loop(): Promise<void>;
  /** Closes what the subclass opened besides the links (readers, routers). */
  protected abstract closeOwn(quiet: boolean): Promise<void>;

  track(promise: Promise<void>): void {
    promise.catch(() => {});
    this.pending.push(promise);
  }

  /**
   * Awaits every promise operators returned, then space in every output channel. `interruptible`: the
   * wait for space also ends at interrupt() (a source must inject a barrier even under backpressure).
   */
  protected async waitForOutputs(interruptible = false): Promise<void> {
    const control = this.env.control;
    while (this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      await control.guard(Promise.all(pending));
    }
    for (const channel of this.outputChannels) {
      if (channel.hasSpace) continue;
      if (!interruptible) await control.guard(channel.whenSpace());
      else if (await control.guard(Promise.race([channel.whenSpace().then(() => false), this.interrupted()])))
        return;
    }
  }

  /** Ends an interruptible wait (see waitForOutputs). */
  protected interrupt(): void {
    const signal = this.interruptSignal;
    this.interruptSignal = undefined;
    signal?.wake();
  }

  /** Resolves true at the next interrupt(). */
  protected interrupted(): Promise<boolean> {
    if (this.interruptSignal === undefined) {
      let wake = (): void => {};
      const promise = new Promise<boolean>((resolve) => {
        wake = () => resolve(true);
      });
      this.interruptSignal = { promise, wake };
    }
    return this.interruptSignal.promise;
  }

  /**
   * The barrier of checkpoint `id` reached this subtask on every input (or, for a source, is due):
   * snapshot the chain, then send the barrier on every output. Files are written while processing
   * goes on; the coordinator hears of them when they are done.
   */
  protected async checkpoint(id: number, positions?: readonly SplitPosition[]): Promise<void> {
    const host = this.env.checkpoints;
    const target = host?.target(id);
    this.lastBarrier = id;
    if (host !== undefined && target !== undefined) {
      const { written } = await this.env.control.guard(
        snapshotChain(this.links, id, target.dir, positions, target.base),
      );
      written.then(
        (links) => host.acknowledge(id, this.name, links),
        (error: unknown) => host.decline(id, this.name, error),
      );
    }
    const barrier = { kind: 'barrier', checkpointId: id } as const;
    for (const channel of this.outputChannels) channel.push(barrier);
  }

  /** No more input: every later checkpoint counts this subtask as done (positions: a source's last). */
  protected reportFinished(positions?: readonly SplitPosition[]): void {
    this.env.checkpoints?.finished(this.name, finishedLinks(this.links, positions), this.lastBarrier);
  }

  get isSource(): boolean {
    return false;
  }

  /** Only sources take barrier requests (SourceSubtask). */
  requestBarrier(_id: number): void {}

  resume(): void {}

  /** The chain's sinks and side sinks commit checkpoint `id`; nothing once the subtask is closing. */
  commit(id: number, positions: readonly SourcePositions[]): Promise<void> {
    if (this.closing) return Promise.resolve();
    const commits = this.links.flatMap((link) => (link.sink ? [link.sink.commit(id, positions)] : []));
    commits.push(this.commitSideSinks(id, positions));
    return Promise.all(commits).then(() => {});
  }

  /** Sinks the chain owns besides its sink operators (a source's dead-letter sink) commit checkpoint `id`. */
  commitSideSinks(_id: number, _positions: readonly SourcePositions[]): Promise<void> {
    return Promise.resolve();
  }

  /** Checkpoint `id` is complete: tells every operator of the chain (sinks commit separately). */
  async notifyCheckpointComplete(id: number): Promise<void> {
    for (const link of this.links) {
      if (this.closing) return;
      const notified = link.operator?.notifyCheckpointComplete?.(id);
      if (notified) await notified;
    }
  }

  /** True when `waitForOutputs` has something to wait for; keeps the busy path free of promises. */
  protected get outputsBlocked(): boolean {
    if (this.pending.length > 0) return true;
    for (const channel of this.outputChannels) if (!channel.hasSpace) return true;
    return false;
  }

  protected checkStopped(): void {
    if (this.env.control.stopping) throw STOPPED;
  }

  protected fireTimers(): void {
    const now = this.env.clock.now();
    for (const link of this.links) link.fireDue(now);
  }

  /** How long to wait for input before the next processing-time callback is due (Infinity: none). */
  protected timerDelay(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const link of this.links) if (link.times.next < next) next = link.times.next;
    if (next === Number.POSITIVE_INFINITY) return next;
    const delay = Math.max(0, next - this.env.clock.now());
    return this.env.clock === systemClock ? delay : Math.min(delay, MANUAL_CLOCK_RECHECK_MS);
  }

  /** Tells downstream whether this subtask holds back their watermark; sent only on change. */
  protected setOutputIdle(idle: boolean): void {
    if (idle === this.outputIdle) return;
    this.outputIdle = idle;
    const message = { kind: 'idle', idle } as const;
    for (const channel of this.outputChannels) channel.push(message);
    // Chained operators share the task's input, so its idleness is theirs too.
    for (const link of this.links) link.operator?.onIdle?.(idle);
  }

  /** End of input: the final watermark through the chain, endInput in plan order, then 'end' downstream. */
  protected async finishChain(): Promise<void> {
    this.setOutputIdle(false);
    this.links[0].advanceWatermark(MAX_TIMESTAMP);
    await this.waitForOutputs();
    for (const link of this.links) {
      const ended = withLinkState(link, () => link.operator?.endInput?.());
      if (ended) await this.env.control.guard(ended);
      await this.waitForOutputs();
    }
    for (const channel of this.outputChannels) channel.push({ kind: 'end' });
  }

  /** Restores state (when the job restores), then opens the chain from its tail to its head, so every operator's consumers are ready first. */
  protected async openLinks(): Promise<void> {
    const restore = this.env.restore;
    if (restore !== undefined)
      await this.env.control.guard(restoreChain(this.links, restore, this.env.config.maxParallelism));
    for (let i = this.links.length - 1; i >= 0; i--) {
      const link = this.links[i];
      this.opened.push(link);
      const opened = withLinkState(link, () => link.operator?.open?.(link.context!));
      if (opened) await this.env.control.guard(opened);
    }
  }

  private async close(quiet: boolean): Promise<void> {
    this.closing = true;
    let failure: { error: unknown } | undefined;
    const attempt = async (what: string, action: () => unknown): Promise<void> => {
      try {
        await action();
      } catch (error) {
        if (quiet) this.env.logger?.warn({ err: error, task: this.name, what }, 'close failed');
        else failure ??= { error };
      }
    };
    await attempt('source', () => this.closeOwn(quiet));
    // Head first: upstream stops before the operators it feeds.
    const links = this.opened.reverse();
    this.opened = [];
    for (const link of links) {
      await attempt(link.node.name, () => link.operator?.close?.());
      link.keyedState?.dispose();
    }
    if (failure !== undefined) throw failure.error;
  }
}
