import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { StreamError } from '../../common/errors.ts';
import type { JobPlan } from '../../plan/nodes.ts';
import type { CheckpointCoordinator } from '../checkpoint/coordinator.ts';
import type { CheckpointParticipant, CheckpointTarget, TargetAnnouncer } from '../checkpoint/host.ts';
import { operatorUid } from '../checkpoint/manifest.ts';
import type { RestorePoint } from '../checkpoint/restore.ts';
import type { PhysicalGraph } from '../graph/physical-graph.ts';
import type { JobControl } from '../job-control.ts';
import type { RecordMetrics } from '../metrics.ts';
import type { SourcePositions } from '../sink.ts';
import {
  channelKey,
  type FromWorker,
  fromWireError,
  planShape,
  type ServicePipe,
  type ThreadsOptions,
  type ToWorker,
  toWireTarget,
  type WireTarget,
} from './protocol.ts';

export interface SlotsOptions {
  readonly threads: ThreadsOptions;
  readonly plan: JobPlan;
  readonly jobId: string;
  readonly bootstrap?: string;
  readonly stateDir?: string;
  readonly restorePoint?: RestorePoint;
  readonly allowNonRestoredState?: boolean;
  readonly control: JobControl;
  readonly logger?: Logger;
}

/** The job's subtasks running on worker threads, as the main thread sees them. */
export interface ThreadedSlots {
  /** Stand-ins of every subtask, for the checkpoint coordinator (after `ready`). */
  readonly participants: readonly CheckpointParticipant[];
  readonly announcer: TargetAnnouncer;
  /** Resolves once every slot built its subtasks (or failed to: see control.error). */
  readonly ready: Promise<void>;
  /** Starts delivering acknowledgements to the coordinator. */
  attach(coordinator: CheckpointCoordinator): void;
  /** Resolves when every slot's subtasks ended. */
  readonly ended: Promise<void>;
  /** The record counters of all slots, as last reported. */
  metrics(): RecordMetrics;
  /** Terminates the threads (after `ended`). */
  close(): Promise<void>;
}

/** The number of task slots a graph needs: its largest parallelism (slot i runs subtask i of every task). */
export function slotCount(graph: PhysicalGraph): number {
  return Math.max(1, ...graph.tasks.map((task) => task.parallelism));
}

/**
 * Starts one worker thread per task slot. Slot i runs subtask i of every task (Flink's slot sharing),
 * so chained operators and forward exchanges stay in one thread; every other channel between two slots
 * is a MessagePort pair made here and handed to both threads. The coordinator stays in this thread.
 */
export function startThreadedSlots(graph: PhysicalGraph, options: SlotsOptions): ThreadedSlots {
  const { control, logger } = options;
  const count = slotCount(graph);
  const ports = channelPorts(graph, count);
  let coordinator: CheckpointCoordinator | undefined;
  // Subtasks that end before the coordinator is attached report 'finished' early: keep it for later.
  const early: FromWorker[] = [];
  const toCoordinator = (message: FromWorker): void => {
    if (coordinator === undefined) early.push(message);
    else if (message.type === 'ack') coordinator.acknowledge(message.id, message.subtask, message.links);
    else if (message.type === 'decline')
      coordinator.decline(message.id, message.subtask, fromWireError(message.error));
    else if (message.type === 'finished')
      coordinator.finished(message.subtask, message.links, message.lastBarrier);
  };
  const participants: CheckpointParticipant[] = [];
  const slots = Array.from(
    { length: count },
    (_, slot) => new SlotThread(slot, ports[slot], options, toCoordinator),
  );
  const onStop = (): void => {
    for (const slot of slots) slot.send({ type: 'stop' });
  };
  control.signal.addEventListener('abort', onStop, { once: true });
  const ready = Promise.all(slots.map((slot) => slot.ready)).then(() => {
    for (const slot of slots) participants.push(...slot.participants);
  });
  const keys = graph.plan.nodes.flatMap((node) =>
    Array.from({ length: graph.parallelismOf(node.id) }, (_, subtask) => ({
      uid: operatorUid(node),
      subtask,
    })),
  );
  const ended = Promise.all(slots.map((slot) => slot.ended)).then(() => {
    control.signal.removeEventListener('abort', onStop);
  });
  logger?.debug({ slots: count }, 'task slots started on worker threads');
  return {
    participants,
    ready,
    ended,
    announcer: {
      announce: async (id: number, target: CheckpointTarget) => {
        const wire = toWireTarget(target, keys);
        await Promise.all(slots.map((slot) => slot.announce(id, wire)));
      },
      withdraw: (id: number) => {
        for (const slot of slots) slot.send({ type: 'withdraw', id });
      },
    },
    attach(attached) {
      coordinator = attached;
      for (const message of early.splice(0)) toCoordinator(message);
    },
    metrics: () => mergeMetrics(slots.map((slot) => slot.lastMetrics)),
    close: async () => {
      await Promise.all(slots.map((slot) => slot.close()));
    },
  };
}

/** Every cross-slot channel as a MessageChannel: port1 to the writer's slot, port2 to the reader's. */
function channelPorts(graph: PhysicalGraph, count: number): Record<string, MessagePort>[] {
  const ports: Record<string, MessagePort>[] = Array.from({ length: count }, () => ({}));
  graph.exchanges.forEach(({ from, to, mode }, index) => {
    const upstream = graph.parallelismOf(from.id);
    const downstream = graph.parallelismOf(to.id);
    for (let u = 0; u < upstream; u++)
      for (let d = 0; d < downstream; d++) {
        const routed = mode === 'forward' ? u === d : mode === 'global' ? d === 0 : true;
        if (!routed || u === d) continue;
        const { port1, port2 } = new MessageChannel();
        ports[u][channelKey(index, u, d)] = port1;
        ports[d][channelKey(index, u, d)] = port2;
      }
  });
  return ports;
}

function mergeMetrics(all: readonly (RecordMetrics | undefined)[]): RecordMetrics {
  const merged: RecordMetrics = { operators: [], badRecords: 0, deadLettered: 0, skipped: 0 };
  for (const metrics of all) {
    if (metrics === undefined) continue;
    merged.operators.push(...metrics.operators);
    merged.badRecords += metrics.badRecords;
    merged.deadLettered += metrics.deadLettered;
    merged.skipped += metrics.skipped;
  }
  merged.operators.sort((a, b) => a.id - b.id || a.subtask - b.subtask);
  return merged;
}

/** One slot's worker thread and the stand-ins of its subtasks. */
class SlotThread {
  readonly slot: number;
  readonly ready: Promise<void>;
  readonly ended: Promise<void>;
  participants: CheckpointParticipant[] = [];
  lastMetrics: RecordMetrics | undefined = undefined;
  private readonly worker: Worker;
  private readonly control: JobControl;
  private readonly calls = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private readonly begun = new Map<number, () => void>();
  private nextCall = 1;
  private done = false;
  private service: { close(): Promise<void> } | undefined;
  private serviceHandlers: ((message: unknown) => void)[] = [];

  private readonly toCoordinator: (message: FromWorker) => void;

  constructor(
    slot: number,
    ports: Record<string, MessagePort>,
    options: SlotsOptions,
    toCoordinator: (message: FromWorker) => void,
  ) {
    this.slot = slot;
    this.toCoordinator = toCoordinator;
    this.control = options.control;
    const level = options.logger?.level;
    this.worker = new Worker(new URL('./worker-main.ts', import.meta.url), {
      workerData: {
        slot,
        setupModule: options.threads.setupModule,
        setupArgs: options.threads.setupArgs,
        jobId: options.jobId,
        bootstrap: options.bootstrap,
        stateDir: options.stateDir,
        restorePoint: options.restorePoint,
        allowNonRestoredState: options.allowNonRestoredState,
        logLevel: level,
        logBindings: options.logger?.bindings(),
        planShape: planShape(options.plan),
        ports,
      },
      transferList: Object.values(ports),
    });
    const pipe: ServicePipe = {
      send: (payload, transfer) => this.worker.postMessage({ type: 'service', payload }, transfer),
      onMessage: (handler) => this.serviceHandlers.push(handler),
    };
    this.service = options.threads.serve?.(pipe);
    let markReady = (): void => {};
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    let markEnded = (): void => {};
    this.ended = new Promise((resolve) => {
      markEnded = resolve;
    });
    const finish = (): void => {
      if (this.done) return;
      this.done = true;
      for (const call of this.calls.values()) call.resolve(); // its subtasks are closed: nothing to commit
      this.calls.clear();
      for (const wake of this.begun.values()) wake();
      this.begun.clear();
      markReady();
      markEnded();
    };
    this.worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          this.participants = message.subtasks.map((s) => this.participant(s.name, s.isSource));
          markReady();
          return;
        case 'begun':
          this.begun.get(message.id)?.();
          this.begun.delete(message.id);
          return;
        case 'reply': {
          const call = this.calls.get(message.call);
          this.calls.delete(message.call);
          if (message.error === undefined) call?.resolve();
          else call?.reject(fromWireError(message.error));
          return;
        }
        case 'failed':
          this.control.fail(fromWireError(message.error), message.task);
          return;
        case 'metrics':
          this.lastMetrics = message.metrics;
          return;
        case 'done':
          finish();
          return;
        case 'service':
          for (const handler of this.serviceHandlers) handler(message.payload);
          return;
        default:
          this.toCoordinator(message);
      }
    });
    this.worker.on('error', (error) => {
      this.control.fail(
        new StreamError('ENG_INTERNAL', `the worker thread of task slot ${slot} failed: ${error.message}`, {
          cause: error,
          details: { slot },
        }),
        `slot ${slot}`,
      );
      finish();
    });
    this.worker.on('exit', (code) => {
      if (!this.done)
        this.control.fail(
          new StreamError(
            'ENG_INTERNAL',
            `the worker thread of task slot ${slot} exited (code ${code}) before its subtasks ended`,
            {
              details: { slot, code },
            },
          ),
          `slot ${slot}`,
        );
      finish();
    });
  }

  send(message: ToWorker): void {
    if (!this.done) this.worker.postMessage(message);
  }

  announce(id: number, target: WireTarget): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => {
      this.begun.set(id, resolve);
      this.worker.postMessage({ type: 'begin', id, target } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    await this.service?.close();
    await this.worker.terminate();
  }

  private call(
    op: 'commit' | 'notify',
    subtask: string,
    id: number,
    positions?: readonly SourcePositions[],
  ): Promise<void> {
    if (this.done) return Promise.resolve();
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(call, { resolve, reject });
      this.worker.postMessage({ type: 'call', call, op, subtask, id, positions } satisfies ToWorker);
    });
  }

  private participant(name: string, isSource: boolean): CheckpointParticipant {
    return {
      name,
      isSource,
      requestBarrier: (id) => this.send({ type: 'barrier', id, subtask: name }),
      resume: () => this.send({ type: 'resume', subtask: name }),
      commit: (id, positions) => this.call('commit', name, id, positions),
      notifyCheckpointComplete: (id) => this.call('notify', name, id),
    };
  }
}
