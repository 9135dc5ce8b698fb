import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { StreamError } from '../../common/errors.ts';
import type { CheckpointingConfig, JobPlan, PlanNode } from '../../plan/nodes.ts';
import type { JobControl } from '../job-control.ts';
import type { SourcePositions } from '../sink.ts';
import type { LinkSnapshot } from './chain-snapshot.ts';
import type {
  CheckpointHost,
  CheckpointParticipant,
  CheckpointTarget,
  IncrementalBase,
  TargetAnnouncer,
} from './host.ts';
import { type CheckpointManifest, stateFilesOf } from './manifest.ts';
import { buildManifest, sourcePositionsOf } from './manifest-builder.ts';
import { applyRetention, checkpointDir, recordSavepoint, writeManifest } from './storage.ts';

/** A checkpoint or savepoint whose state is durable and whose sinks committed. */
export interface CompletedCheckpoint {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly dir: string;
  readonly manifest: CheckpointManifest;
}

/** What outlives one attempt of a job: ids keep counting, statistics keep adding up. */
export interface CheckpointLedger {
  nextId: number;
  completed: number;
  failed: number;
  latest: CompletedCheckpoint | undefined;
}

export interface CoordinatorOptions {
  readonly jobId: string;
  readonly plan: JobPlan;
  readonly parallelismOf: (node: PlanNode) => number;
  /** Periodic checkpoints go under it; undefined: savepoints only. */
  readonly stateDir: string | undefined;
  readonly checkpointing: CheckpointingConfig | undefined;
  readonly control: JobControl;
  readonly ledger: CheckpointLedger;
  readonly logger?: Logger;
  /** Given when subtasks run on worker threads. */
  readonly announcer?: TargetAnnouncer;
  /** Called once a checkpoint's files and pending manifest are written, before any sink commits it. */
  readonly publish?: CheckpointPublish;
}

/**
 * Copies checkpoint `checkpointId` (its directory `dir`) where other processes can read it; a failure
 * fails the checkpoint before anything commits it (a scaled-out task's checkpoint topic).
 */
export type CheckpointPublish = (checkpointId: number, dir: string) => Promise<void>;

interface Pending {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly dir: string;
  readonly stopSources: boolean;
  readonly triggeredAt: number;
  readonly remaining: Set<string>;
  readonly acks: LinkSnapshot[];
  readonly timer: NodeJS.Timeout;
  readonly resolve: (completed: CompletedCheckpoint) => void;
  readonly reject: (error: StreamError) => void;
  completing: boolean;
}

const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * One per attempt of a job: triggers checkpoints (periodically, one at a time, minPause apart) and
 * savepoints, collects the subtasks' acknowledgements, writes the manifest, has the sinks commit, marks
 * the checkpoint completed, tells the operators, and applies retention.
 */
export class CheckpointCoordinator implements CheckpointHost {
  readonly exactlyOnce: boolean;
  private readonly options: CoordinatorOptions;
  private subtasks: readonly CheckpointParticipant[] = [];
  private readonly finishedSubtasks = new Map<string, { lastBarrier: number; links: LinkSnapshot[] }>();
  private pending: Pending | undefined = undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private completing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined = undefined;
  private stopped = false;
  /** Periodic checkpoints ended (every source finished). */
  private periodicOff = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  private lastEnd = Number.NEGATIVE_INFINITY;

  constructor(options: CoordinatorOptions) {
    this.options = options;
    this.exactlyOnce = options.checkpointing?.mode !== 'at-least-once';
  }

  /** The subtasks of this attempt; periodic checkpoints start counting from now. */
  start(subtasks: readonly CheckpointParticipant[]): void {
    this.subtasks = subtasks;
    this.lastStart = Date.now();
    this.schedule();
  }

  /** Aborts a checkpoint still waiting for acknowledgements, waits for one being completed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const pending = this.pending;
    if (pending !== undefined && !pending.completing)
      await this.fail(pending, unavailable('the job stopped before the checkpoint completed'), true);
    await this.completing;
  }

  /**
   * Takes a checkpoint now (after the one running, if any). A savepoint goes to
   * `<savepointDir>/savepoint-<jobId>-<N>`; with `stopSources` the sources emit nothing after its barrier.
   */
  trigger(request: {
    kind: 'checkpoint' | 'savepoint';
    savepointDir?: string;
    stopSources?: boolean;
  }): Promise<CompletedCheckpoint> {
    this.inFlight++;
    const run = this.queue.then(() => this.begin(request));
    const settled = run.then(
      () => {},
      () => {},
    );
    this.queue = settled;
    void settled.then(() => {
      this.inFlight--;
    });
    return run;
  }

  target(id: number): CheckpointTarget | undefined {
    const pending = this.pending;
    if (pending?.id !== id) return undefined;
    const latest = this.options.ledger.latest;
    const base =
      pending.kind === 'checkpoint' && latest?.kind === 'checkpoint' ? incrementalBase(latest) : undefined;
    return { dir: pending.dir, stopSources: pending.stopSources, ...(base ? { base } : {}) };
  }

  acknowledge(id: number, subtask: string, links: LinkSnapshot[]): void {
    const pending = this.pending;
    if (pending?.id !== id || !pending.remaining.delete(subtask)) return;
    pending.acks.push(...links);
    if (pending.remaining.size === 0) this.complete(pending);
  }

  decline(id: number, subtask: string, error: unknown): void {
    const pending = this.pending;
    if (pending?.id !== id || pending.completing) return;
    const reason = error instanceof Error ? error.message : String(error);
    void this.fail(
      pending,
      failed(`subtask "${subtask}" could not write its snapshot: ${reason}`, error),
      true,
    );
  }

  finished(subtask: string, links: LinkSnapshot[], lastBarrier = 0): void {
    this.finishedSubtasks.set(subtask, { lastBarrier, links });
    const pending = this.pending;
    // A subtask that snapshotted the pending checkpoint before ending acknowledges it itself.
    if (pending !== undefined && lastBarrier < pending.id) this.acknowledge(pending.id, subtask, links);
  }

  private async begin(request: {
    kind: 'checkpoint' | 'savepoint';
    savepointDir?: string;
    stopSources?: boolean;
  }): Promise<CompletedCheckpoint> {
    const { control, ledger, stateDir } = this.options;
    if (this.stopped || control.stopping) throw unavailable('the job is stopping');
    const sources = this.subtasks.filter((s) => s.isSource);
    if (sources.every((s) => this.finishedSubtasks.has(s.name)))
      throw unavailable(
        'every source of the job has finished, so no barrier can be injected any more; a job whose sources are all finished can no longer checkpoint',
      );
    const id = ledger.nextId++;
    const kind = request.kind;
    if (kind === 'checkpoint' && stateDir === undefined)
      throw unavailable('checkpoints need a state directory');
    const dir =
      kind === 'savepoint'
        ? join(request.savepointDir ?? '.', `savepoint-${this.options.jobId}-${id}`)
        : checkpointDir(stateDir!, this.options.jobId, id);
    try {
      // A savepoint directory must be new: never mix files into an existing one.
      await mkdir(dirname(dir), { recursive: true });
      await mkdir(dir, { recursive: kind === 'checkpoint' });
    } catch (error) {
      throw failed(`cannot create ${dir}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (this.stopped || control.stopping) {
      await rm(dir, { recursive: true, force: true });
      throw unavailable('the job is stopping');
    }
    this.lastStart = Date.now();
    this.options.logger?.debug({ checkpoint: id, kind, dir }, 'checkpoint triggered');
    const completed = new Promise<CompletedCheckpoint>((resolve, reject) => {
      const timeout = this.options.checkpointing?.timeout ?? DEFAULT_TIMEOUT_MS;
      const pending: Pending = {
        id,
        kind,
        dir,
        stopSources: request.stopSources === true,
        triggeredAt: Date.now(),
        remaining: new Set(this.subtasks.map((s) => s.name)),
        acks: [],
        timer: setTimeout(
          () => void this.fail(pending, failed(`it did not complete within ${timeout} ms`), true),
          timeout,
        ),
        resolve,
        reject,
        completing: false,
      };
      pending.timer.unref();
      this.pending = pending;
    });
    const current = this.pending!;
    const announcer = this.options.announcer;
    if (announcer !== undefined) {
      try {
        await announcer.announce(id, this.target(id)!);
      } catch (error) {
        await this.fail(
          current,
          failed(`its target could not reach the worker threads: ${String(error)}`),
          true,
        );
        return completed;
      }
      if (this.pending !== current) return completed; // failed meanwhile (timeout, stop)
    }
    for (const [name, finished] of this.finishedSubtasks)
      this.finished(name, finished.links, finished.lastBarrier);
    for (const source of sources) if (!this.finishedSubtasks.has(source.name)) source.requestBarrier(id);
    return completed;
  }

  private complete(pending: Pending): void {
    pending.completing = true;
    clearTimeout(pending.timer);
    this.completing = this.finishCheckpoint(pending);
  }

  private async finishCheckpoint(pending: Pending): Promise<void> {
    const { control, ledger, stateDir, jobId, plan, parallelismOf, logger } = this.options;
    const base = { jobId, jobName: plan.config.jobName, plan, parallelismOf };
    let manifest = buildManifest({
      ...base,
      id: pending.id,
      kind: pending.kind,
      triggeredAt: pending.triggeredAt,
      acks: pending.acks,
    });
    try {
      await writeManifest(pending.dir, manifest);
    } catch (error) {
      await this.fail(pending, failed(`its manifest could not be written: ${String(error)}`, error), true);
      return;
    }
    if (this.options.publish !== undefined) {
      try {
        await this.options.publish(pending.id, pending.dir);
      } catch (error) {
        await this.fail(pending, failed(`it could not be published: ${String(error)}`, error), true);
        return;
      }
    }
    // A job that is stopping closes its sinks, and a sink that closed aborts its open transaction: a
    // commit now would do nothing, yet the checkpoint would count as complete (and retention would then
    // delete the one its external systems really hold).
    if (control.stopping) {
      await this.fail(pending, unavailable('the job stopped before the checkpoint committed'), true);
      return;
    }
    const positions: SourcePositions[] = sourcePositionsOf(plan, manifest);
    try {
      await Promise.all(this.subtasks.map((subtask) => subtask.commit(pending.id, positions)));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const commitError = new StreamError(
        'ENG_SINK_COMMIT_FAILED',
        `a sink could not commit checkpoint ${pending.id}: ${reason}`,
        { cause: error, details: { checkpointId: pending.id } },
      );
      // The manifest stays: a sink may have committed, and its external system may name this checkpoint.
      await this.fail(pending, commitError, false);
      control.fail(commitError, 'checkpoint coordinator');
      return;
    }
    // Stopped while committing: a sink that closed meanwhile may have committed nothing. Not completed
    // (so retention keeps the previous one), but its files stay: if Kafka holds it, a restore finds it.
    if (control.stopping) {
      await this.fail(pending, unavailable('the job stopped while the checkpoint was committing'), false);
      return;
    }
    manifest = { ...manifest, state: 'completed', completedAt: Date.now() };
    try {
      await writeManifest(pending.dir, manifest);
      if (pending.kind === 'savepoint' && stateDir !== undefined)
        await recordSavepoint(stateDir, jobId, {
          checkpointId: pending.id,
          path: pending.dir,
          completedAt: manifest.completedAt!,
        });
    } catch (error) {
      await this.fail(pending, failed(`it could not be marked completed: ${String(error)}`, error), false);
      return;
    }
    const completed: CompletedCheckpoint = { id: pending.id, kind: pending.kind, dir: pending.dir, manifest };
    ledger.completed++;
    ledger.latest = completed;
    this.pending = undefined;
    this.lastEnd = Date.now();
    logger?.info(
      {
        checkpoint: pending.id,
        kind: pending.kind,
        dir: pending.dir,
        ms: this.lastEnd - pending.triggeredAt,
      },
      `${pending.kind} ${pending.id} completed`,
    );
    for (const subtask of this.subtasks)
      subtask
        .notifyCheckpointComplete(pending.id)
        .catch((error: unknown) => control.fail(error, subtask.name));
    if (pending.kind === 'checkpoint' && stateDir !== undefined && this.options.checkpointing !== undefined)
      await applyRetention(stateDir, jobId, this.options.checkpointing.retained).catch((error: unknown) =>
        logger?.warn({ err: error }, 'old checkpoints could not be deleted'),
      );
    pending.resolve(completed);
    this.schedule();
  }

  /** Resolves when the checkpoint's files are deleted (`deleteFiles`). */
  private fail(pending: Pending, error: StreamError, deleteFiles: boolean): Promise<void> {
    if (this.pending !== pending) return Promise.resolve();
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.options.ledger.failed++;
    this.lastEnd = Date.now();
    this.options.logger?.warn({ checkpoint: pending.id, err: error }, `${pending.kind} ${pending.id} failed`);
    const deleted = deleteFiles
      ? rm(pending.dir, { recursive: true, force: true }).catch(() => {})
      : Promise.resolve();
    this.options.announcer?.withdraw(pending.id);
    if (pending.stopSources) for (const subtask of this.subtasks) if (subtask.isSource) subtask.resume();
    pending.reject(error);
    this.schedule();
    return deleted;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const config = this.options.checkpointing;
    if (config === undefined || this.stopped || this.periodicOff || this.options.stateDir === undefined)
      return;
    const due = Math.max(this.lastStart + config.interval, this.lastEnd + config.minPause);
    this.timer = setTimeout(() => this.periodic(), Math.max(0, due - Date.now()));
    this.timer.unref();
  }

  private periodic(): void {
    if (this.stopped) return;
    if (this.inFlight > 0 || this.pending !== undefined) return; // rescheduled when that one ends
    this.trigger({ kind: 'checkpoint' }).catch((error: unknown) => {
      if (error instanceof StreamError && error.code === 'ENG_CHECKPOINT_UNAVAILABLE') {
        if (!this.stopped) this.options.logger?.info(`no more checkpoints: ${error.message}`);
        this.periodicOff = true;
      } else this.schedule();
    });
  }
}

function unavailable(reason: string): StreamError {
  return new StreamError('ENG_CHECKPOINT_UNAVAILABLE', `cannot take a checkpoint: ${reason}`);
}

function failed(reason: string, cause?: unknown): StreamError {
  return new StreamError('ENG_CHECKPOINT_FAILED', `checkpoint failed: ${reason}`, { cause });
}

/** A completed checkpoint as the base of the next one's incremental files. */
function incrementalBase(completed: CompletedCheckpoint): IncrementalBase {
  const files = new Map<string, readonly string[]>();
  for (const op of completed.manifest.operators)
    for (const entry of op.subtasks) files.set(`${op.uid}\u0000${entry.subtask}`, stateFilesOf(entry));
  return {
    id: completed.id,
    dirName: basename(completed.dir),
    filesOf: (uid, subtask) => files.get(`${uid}\u0000${subtask}`),
  };
}
