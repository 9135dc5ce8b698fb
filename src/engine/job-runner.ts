import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StreamError } from '../common/errors.ts';
import { systemClock } from '../common/time.ts';
import type { JobPlan } from '../plan/nodes.ts';
import {
  CheckpointCoordinator,
  type CheckpointLedger,
  type CheckpointPublish,
} from './checkpoint/coordinator.ts';
import type { CheckpointParticipant } from './checkpoint/host.ts';
import {
  committedByExternalSinks,
  firstCheckpointId,
  initialRestorePoint,
  type RestoreFrom,
} from './checkpoint/recovery.ts';
import { effectiveRestartStrategy, RestartPolicy } from './checkpoint/restart-strategy.ts';
import { planRestore, type RestorePoint } from './checkpoint/restore.ts';
import { checkJobIdForStateDir, checkpointDir, readManifest } from './checkpoint/storage.ts';
import type { ConnectorResolver } from './connector-resolver.ts';
import type { JobResult } from './execute.ts';
import { instantiate, type Placement } from './graph/instantiate.ts';
import { buildPhysicalGraph, type PhysicalGraph } from './graph/physical-graph.ts';
import { asStreamError, JobControl } from './job-control.ts';
import { type JobMetrics, MetricsRegistry, type RecordMetrics } from './metrics.ts';
import type { ThreadsOptions } from './threads/protocol.ts';
import { slotCount, startThreadedSlots } from './threads/threaded-slots.ts';

/**
 * Failures of the job's definition or configuration: every attempt would fail the same way, so the job
 * fails at once with the error that says what to fix instead of restarting until its strategy gives up
 * (by default, never). Failures of user functions and external systems still restart.
 */
const NOT_FIXED_BY_A_RESTART: ReadonlySet<string> = new Set([
  'ENG_INVALID_JOB',
  'ENG_INVALID_ARGUMENT',
  'ENG_STATE_DESCRIPTOR_CONFLICT',
  'ENG_AGGREGATE_MERGE_MISSING',
  'ENG_RESTORE_FAILED',
  'ENG_RECORD_NOT_TRANSFERABLE',
  'CON_UNKNOWN_CONNECTOR',
  'CON_INVALID_CONFIG',
  'CON_EXACTLY_ONCE_MISCONFIGURED',
]);

/** Which checkpoint or savepoint an attempt started from. */
export interface RestoredCheckpoint {
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly path: string;
}

/** One run of the job's subtasks; a restart makes a new one. */
export interface Attempt {
  readonly control: JobControl;
  readonly coordinator: CheckpointCoordinator;
}

export interface RunnerOptions {
  readonly connectors: ConnectorResolver;
  readonly jobId: string;
  readonly randomJobId: boolean;
  readonly bootstrap?: string;
  readonly logger?: Logger;
  readonly stateDir?: string;
  readonly restoreFrom?: RestoreFrom;
  readonly allowNonRestoredState?: boolean;
  readonly threads?: ThreadsOptions;
  /**
   * Runs only these subtask indexes, on this thread (one task of a scaled-out job: every exchange of
   * its plan is forward, so no channel leaves the placement). Not with `threads`.
   */
  readonly subtasks?: readonly number[];
  readonly publishCheckpoint?: CheckpointPublish;
}

/** The running job behind a JobExecution: attempts, restarts, the checkpoint ledger. */
export interface JobRunner {
  readonly done: Promise<JobResult>;
  readonly started: Promise<void>;
  readonly attempt: Attempt | undefined;
  readonly restoredFrom: RestoredCheckpoint | undefined;
  cancel(): void;
  metrics(): JobMetrics;
}

/**
 * Runs attempts until one ends without failure, or the restart strategy gives up. Each attempt
 * restores the newest checkpoint completed so far (or the one the job started from), so operators,
 * sources and sinks go on from a consistent cut.
 */
export function runJob(plan: JobPlan, options: RunnerOptions): JobRunner {
  const ledger: CheckpointLedger = { nextId: 1, completed: 0, failed: 0, latest: undefined };
  const cancelling = new AbortController();
  let attempt: Attempt | undefined;
  let restoredFrom: RestoredCheckpoint | undefined;
  let restarts = 0;
  let lastMetrics: () => RecordMetrics = () => new MetricsRegistry().snapshot();
  let markStarted = (): void => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  const metrics = (): JobMetrics => ({
    ...lastMetrics(),
    restarts,
    checkpoints: {
      completed: ledger.completed,
      failed: ledger.failed,
      ...(ledger.latest === undefined ? {} : { latest: ledger.latest.id }),
      ...(restoredFrom === undefined ? {} : { restored: restoredFrom.checkpointId }),
    },
  });

  async function run(): Promise<JobResult> {
    const { config } = plan;
    const { logger, jobId, connectors } = options;
    let graph: PhysicalGraph;
    try {
      graph = buildPhysicalGraph(plan);
      if (options.stateDir !== undefined) checkJobIdForStateDir(jobId);
    } catch (error) {
      throw asStreamError(error, `setting up job "${config.jobName}"`);
    }
    if (options.restoreFrom === 'latest' && options.randomJobId)
      logger?.warn("restoreFrom 'latest' without a jobId finds nothing: the job id is new");
    const tempDir =
      options.stateDir === undefined && config.checkpointing !== undefined
        ? await mkdtemp(join(tmpdir(), 'eddy-state-'))
        : undefined;
    const stateDir = options.stateDir ?? tempDir;
    const committed = () =>
      committedByExternalSinks(plan, connectors, { jobId, bootstrap: options.bootstrap });
    try {
      const initial = await initialRestorePoint({
        restoreFrom: options.restoreFrom,
        stateDir,
        jobId,
        committed,
        logger,
      });
      ledger.nextId = await firstCheckpointId(stateDir, jobId, initial);
      const policy = new RestartPolicy(effectiveRestartStrategy(config));
      let point = initial;
      for (;;) {
        const result = await runAttempt(graph, point, stateDir);
        if (result.error === undefined) return result.result;
        if (NOT_FIXED_BY_A_RESTART.has(result.error.code)) throw result.error;
        const decision = policy.onFailure(Date.now());
        if (!decision.restart || cancelling.signal.aborted) throw result.error;
        restarts = policy.count;
        logger?.warn(
          { err: result.error, restart: restarts, delayMs: decision.delay },
          `job failed; restarting in ${decision.delay} ms`,
        );
        if (!(await sleep(decision.delay, cancelling.signal)))
          return { status: 'cancelled', metrics: metrics(), ...restoredField() };
        point = await restartPoint(point, stateDir, committed);
      }
    } finally {
      attempt = undefined;
      markStarted();
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** The newest completed checkpoint of this execution; a newer one a sink committed wins (its manifest may be pending). */
  async function restartPoint(
    previous: RestorePoint | undefined,
    stateDir: string | undefined,
    committed: () => Promise<number | undefined>,
  ): Promise<RestorePoint | undefined> {
    const latest = ledger.latest;
    let point: RestorePoint | undefined =
      latest === undefined ? previous : { dir: latest.dir, manifest: latest.manifest };
    const external = stateDir === undefined ? undefined : await committed();
    const known = point?.manifest.checkpointId ?? 0;
    if (external !== undefined && external > known && stateDir !== undefined) {
      const read = await readManifest(checkpointDir(stateDir, options.jobId, external)).catch(
        () => undefined,
      );
      if (read !== undefined) point = read;
    }
    return point;
  }

  async function runAttempt(
    graph: PhysicalGraph,
    point: RestorePoint | undefined,
    stateDir: string | undefined,
  ): Promise<{ error: StreamError; result?: undefined } | { error?: undefined; result: JobResult }> {
    const { config } = plan;
    const { logger, jobId, connectors } = options;
    const restore =
      point === undefined
        ? undefined
        : planRestore(point, plan, { allowNonRestoredState: options.allowNonRestoredState, logger });
    restoredFrom =
      point === undefined
        ? undefined
        : { checkpointId: point.manifest.checkpointId, kind: point.manifest.kind, path: point.dir };
    if (restoredFrom !== undefined)
      logger?.info(restoredFrom, `restoring ${restoredFrom.kind} ${restoredFrom.checkpointId}`);
    const control = new JobControl(logger);
    const threaded = options.threads !== undefined && options.subtasks === undefined && slotCount(graph) > 1;
    const slots = threaded
      ? startThreadedSlots(graph, {
          threads: options.threads!,
          plan,
          jobId,
          bootstrap: options.bootstrap,
          stateDir: options.stateDir,
          restorePoint: point,
          allowNonRestoredState: options.allowNonRestoredState,
          control,
          logger,
        })
      : undefined;
    const coordinator = new CheckpointCoordinator({
      jobId,
      plan,
      parallelismOf: (node) => graph.parallelismOf(node.id),
      stateDir,
      checkpointing: config.checkpointing,
      control,
      ledger,
      logger,
      announcer: slots?.announcer,
      publish: options.publishCheckpoint,
    });
    let participants: readonly CheckpointParticipant[];
    let running: Promise<unknown>;
    if (slots !== undefined) {
      lastMetrics = () => slots.metrics();
      await slots.ready;
      slots.attach(coordinator);
      participants = slots.participants;
      running = slots.ended;
    } else {
      const registry = new MetricsRegistry();
      lastMetrics = () => registry.snapshot();
      const env = {
        control,
        clock: config.clock ?? systemClock,
        config,
        metrics: registry,
        logger,
        checkpoints: coordinator,
        restore,
      };
      let subtasks: ReturnType<typeof instantiate>;
      try {
        subtasks = instantiate(graph, env, {
          connectors,
          jobId,
          bootstrap: options.bootstrap,
          stateDir: options.stateDir,
          ...(options.subtasks === undefined ? {} : { placement: onlySubtasks(options.subtasks) }),
        });
      } catch (error) {
        throw asStreamError(error, `setting up job "${config.jobName}"`);
      }
      participants = subtasks;
      running = Promise.all(subtasks.map((subtask) => subtask.run()));
    }
    attempt = { control, coordinator };
    if (cancelling.signal.aborted) control.cancel();
    const onCancel = (): void => control.cancel();
    cancelling.signal.addEventListener('abort', onCancel, { once: true });
    logger?.debug({ subtasks: participants.map((subtask) => subtask.name) }, 'job started');
    coordinator.start(participants);
    markStarted();
    try {
      await running;
    } finally {
      cancelling.signal.removeEventListener('abort', onCancel);
      await coordinator.stop();
      await slots?.close();
      attempt = undefined;
    }
    if (control.error !== undefined) return { error: control.error };
    logger?.debug({ cancelled: control.cancelled }, 'job ended');
    const savepoint = control.stoppedWith;
    const status = savepoint !== undefined ? 'stopped' : control.cancelled ? 'cancelled' : 'finished';
    return {
      result: {
        status,
        metrics: metrics(),
        ...(savepoint === undefined ? {} : { savepoint }),
        ...restoredField(),
      },
    };
  }

  function restoredField(): { restoredFrom?: RestoredCheckpoint } {
    return restoredFrom === undefined ? {} : { restoredFrom };
  }

  const done = run();
  done.catch(() => {});
  return {
    done,
    started,
    get attempt() {
      return attempt;
    },
    get restoredFrom() {
      return restoredFrom;
    },
    cancel: () => {
      cancelling.abort();
      attempt?.control.cancel();
    },
    metrics,
  };
}

/** A placement of some subtask indexes whose plan has no channel to the others (all edges forward). */
function onlySubtasks(indexes: readonly number[]): Placement {
  const local = new Set(indexes);
  const crossing = (): never => {
    throw new StreamError(
      'ENG_INTERNAL',
      'a channel would leave the subtasks this process runs; a scaled-out plan must have forward edges only',
    );
  };
  return { isLocal: (index) => local.has(index), writer: crossing, reader: crossing };
}

/** Waits `ms`; false when the signal aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
