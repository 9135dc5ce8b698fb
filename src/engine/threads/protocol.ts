import type { MessagePort, Transferable } from 'node:worker_threads';
import type { ErrorCode } from '../../common/error-codes/index.ts';
import { StreamError } from '../../common/errors.ts';
import type { JobPlan } from '../../plan/nodes.ts';
import type { LinkSnapshot } from '../checkpoint/chain-snapshot.ts';
import type { CheckpointTarget, IncrementalBase } from '../checkpoint/host.ts';
import type { RestorePoint } from '../checkpoint/restore.ts';
import type { ConnectorResolver } from '../connector-resolver.ts';
import type { RecordMetrics } from '../metrics.ts';
import type { SourcePositions } from '../sink.ts';

/**
 * An ordered message pipe between a worker thread and the main thread, beside the engine's own
 * messages (and ordered with them). Connectors use it for what must stay one per process, such as the
 * Kafka transaction all exactly-once sinks share.
 */
export interface ServicePipe {
  send(message: unknown, transfer?: Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** What a worker thread needs to build its part of the job: the plan, rebuilt in its own realm. */
export interface WorkerSetup {
  readonly plan: JobPlan;
  readonly connectors: ConnectorResolver;
  /** Called once with the worker's service pipe, before any subtask opens. */
  connect?(pipe: ServicePipe): void;
}

/**
 * The module a worker thread imports must export `setupWorker(args)`. Plans hold user functions, which
 * cannot cross threads, so each thread evaluates the job module again (node ids follow construction
 * order, so every thread gets the same plan).
 */
export type SetupWorker = (args: unknown) => Promise<WorkerSetup>;

/** Where worker threads find their job: a module exporting `setupWorker`, and its (cloneable) argument. */
export interface ThreadsOptions {
  /** URL (file:) of the module exporting `setupWorker`. */
  readonly setupModule: string;
  readonly setupArgs: unknown;
  /** Main-thread end of each worker's service pipe; closed when the worker ends. */
  serve?(pipe: ServicePipe): { close(): Promise<void> };
}

/** workerData of a slot's thread. */
export interface SlotData {
  readonly slot: number;
  readonly setupModule: string;
  readonly setupArgs: unknown;
  readonly jobId: string;
  readonly bootstrap?: string;
  readonly stateDir?: string;
  readonly restorePoint?: RestorePoint;
  readonly allowNonRestoredState?: boolean;
  readonly logLevel?: string;
  /** The main thread logger's bindings (name, job), so a worker's lines read like the main thread's. */
  readonly logBindings?: Record<string, unknown>;
  /** planShape() of the main thread's plan: a worker whose plan differs refuses to run. */
  readonly planShape: string;
  /** Cross-thread channel ends of this slot, by channelKey(). */
  readonly ports: Readonly<Record<string, MessagePort>>;
}

/** Names the channel of exchange `exchange` from upstream subtask u to downstream subtask d. */
export function channelKey(exchange: number, upstream: number, downstream: number): string {
  return `${exchange}:${upstream}:${downstream}`;
}

/** A checkpoint target as plain data (an IncrementalBase's lookup becomes a table). */
export interface WireTarget {
  readonly dir: string;
  readonly stopSources: boolean;
  readonly base?: { readonly id: number; readonly dirName: string; readonly files: Record<string, string[]> };
}

export interface WireError {
  readonly code?: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export type ToWorker =
  | { readonly type: 'begin'; readonly id: number; readonly target: WireTarget }
  | { readonly type: 'withdraw'; readonly id: number }
  | { readonly type: 'barrier'; readonly id: number; readonly subtask: string }
  | { readonly type: 'resume'; readonly subtask: string }
  | {
      readonly type: 'call';
      readonly call: number;
      readonly op: 'commit' | 'notify';
      readonly subtask: string;
      readonly id: number;
      readonly positions?: readonly SourcePositions[];
    }
  | { readonly type: 'stop' }
  | { readonly type: 'service'; readonly payload: unknown };

export type FromWorker =
  | { readonly type: 'ready'; readonly subtasks: readonly { name: string; isSource: boolean }[] }
  | { readonly type: 'begun'; readonly id: number }
  | { readonly type: 'ack'; readonly id: number; readonly subtask: string; readonly links: LinkSnapshot[] }
  | { readonly type: 'decline'; readonly id: number; readonly subtask: string; readonly error: WireError }
  | {
      readonly type: 'finished';
      readonly subtask: string;
      readonly links: LinkSnapshot[];
      readonly lastBarrier: number;
    }
  | { readonly type: 'reply'; readonly call: number; readonly error?: WireError }
  | { readonly type: 'failed'; readonly task: string; readonly error: WireError }
  | { readonly type: 'metrics'; readonly metrics: RecordMetrics }
  | { readonly type: 'done' }
  | { readonly type: 'service'; readonly payload: unknown };

export function toWireError(error: unknown): WireError {
  if (error instanceof StreamError)
    return { code: error.code, message: error.message, details: error.details };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** StreamErrors keep their code and details across threads; anything else stays a plain Error. */
export function fromWireError(wire: WireError): Error {
  if (wire.code === undefined) return new Error(wire.message);
  return new StreamError(wire.code as ErrorCode, wire.message, { details: wire.details });
}

export function toWireTarget(
  target: CheckpointTarget,
  keys: readonly { uid: string; subtask: number }[],
): WireTarget {
  const base = target.base;
  if (base === undefined) return { dir: target.dir, stopSources: target.stopSources };
  const files: Record<string, string[]> = {};
  for (const { uid, subtask } of keys) {
    const list = base.filesOf(uid, subtask);
    if (list !== undefined) files[`${uid}\u0000${subtask}`] = [...list];
  }
  return {
    dir: target.dir,
    stopSources: target.stopSources,
    base: { id: base.id, dirName: base.dirName, files },
  };
}

export function fromWireTarget(wire: WireTarget): CheckpointTarget {
  const wireBase = wire.base;
  if (wireBase === undefined) return { dir: wire.dir, stopSources: wire.stopSources };
  const base: IncrementalBase = {
    id: wireBase.id,
    dirName: wireBase.dirName,
    filesOf: (uid, subtask) => wireBase.files[`${uid}\u0000${subtask}`],
  };
  return { dir: wire.dir, stopSources: wire.stopSources, base };
}

/**
 * What must be equal between the main thread's plan and a worker's: nodes, their kinds, names, uids,
 * parallelism and edges (user functions cannot be compared). A job module that builds its plan from
 * random values or the time would build a different one in every thread.
 */
export function planShape(plan: JobPlan): string {
  return JSON.stringify(
    plan.nodes.map((node) => [
      node.id,
      node.kind,
      node.name,
      node.uid ?? null,
      node.parallelism ?? null,
      node.inputs.map((edge) => [edge.from, edge.port, edge.partitioning.kind, edge.sideOutput ?? null]),
    ]),
  );
}
