import type { MessagePort, Transferable } from 'node:worker_threads';
import { StreamError } from '../../common/errors.ts';
import { createLogger, type LogLevel } from '../../common/logging.ts';
import { systemClock } from '../../common/time.ts';
import type { LinkSnapshot } from '../checkpoint/chain-snapshot.ts';
import type { CheckpointHost, CheckpointTarget } from '../checkpoint/host.ts';
import { planRestore } from '../checkpoint/restore.ts';
import { instantiate, type Placement } from '../graph/instantiate.ts';
import { buildPhysicalGraph } from '../graph/physical-graph.ts';
import { JobControl } from '../job-control.ts';
import { MetricsRegistry } from '../metrics.ts';
import type { Subtask } from '../subtask.ts';
import {
  channelKey,
  type FromWorker,
  fromWireTarget,
  planShape,
  type ServicePipe,
  type SetupWorker,
  type SlotData,
  type ToWorker,
  toWireError,
} from './protocol.ts';
import { ChannelInbox, ChannelOutbox } from './thread-channel.ts';

/** Cross-thread channels hold this many times the job's channelCapacity. */
const CROSS_THREAD_CAPACITY_FACTOR = 4;

/** How often a worker sends its record counters to the main thread. */
const METRICS_INTERVAL_MS = 500;

/**
 * The worker-thread side of a task slot: rebuilds the plan from the job module, runs subtask `slot`
 * of every task, and talks to the main thread's coordinator over `parent`: barriers, targets, commits
 * and stops come in; acknowledgements, failures, metrics and `done` go out.
 */
export async function runSlot(data: SlotData, parent: MessagePort): Promise<void> {
  const post = (message: FromWorker, transfer?: Transferable[]): void =>
    parent.postMessage(message, transfer);
  const logger =
    data.logLevel === undefined
      ? undefined
      : createLogger({ level: data.logLevel as LogLevel }).child({ ...data.logBindings, slot: data.slot });
  const module = (await import(data.setupModule)) as { setupWorker?: SetupWorker };
  if (typeof module.setupWorker !== 'function')
    throw new Error(`${data.setupModule} does not export setupWorker(args)`);
  const setup = await module.setupWorker(data.setupArgs);
  const { plan, connectors } = setup;
  if (planShape(plan) !== data.planShape)
    throw new StreamError(
      'ENG_INVALID_JOB',
      `the job module built a different plan in the worker thread of task slot ${data.slot} than in the main ` +
        'thread. Every thread evaluates the job module again, so it must build the same operators in the same ' +
        'order each time: do not choose operators, names or parallelism from random values, the clock or ' +
        'mutable module state.',
      { details: { slot: data.slot } },
    );
  const graph = buildPhysicalGraph(plan);

  const serviceHandlers: ((message: unknown) => void)[] = [];
  const pipe: ServicePipe = {
    send: (payload, transfer) => post({ type: 'service', payload }, transfer),
    onMessage: (handler) => serviceHandlers.push(handler),
  };
  setup.connect?.(pipe);

  // Without a logger: the main thread logs the job's failure, cancel or stop once for all slots.
  const control = new JobControl();
  let stoppedByMain = false;
  control.signal.addEventListener('abort', () => {
    const error = control.error;
    if (error !== undefined && !stoppedByMain)
      post({ type: 'failed', task: `slot ${data.slot}`, error: toWireError(error) });
  });
  const targets = new Map<number, CheckpointTarget>();
  const host: CheckpointHost = {
    exactlyOnce: plan.config.checkpointing?.mode !== 'at-least-once',
    target: (id) => targets.get(id),
    acknowledge: (id, subtask, links: LinkSnapshot[]) => post({ type: 'ack', id, subtask, links }),
    decline: (id, subtask, error) => post({ type: 'decline', id, subtask, error: toWireError(error) }),
    finished: (subtask, links, lastBarrier) => post({ type: 'finished', subtask, links, lastBarrier }),
  };
  const metrics = new MetricsRegistry();
  const restore =
    data.restorePoint === undefined
      ? undefined
      : planRestore(data.restorePoint, plan, { allowNonRestoredState: data.allowNonRestoredState, logger });
  // A message to another thread is seen there only when its event loop next turns, so a cross-thread
  // channel holds more batches than one in a thread: fewer round trips per record (parallelism.md).
  const capacity = plan.config.channelCapacity * CROSS_THREAD_CAPACITY_FACTOR;
  const ends: { close(): void }[] = [];
  const placement: Placement = {
    isLocal: (index) => index === data.slot,
    writer: (exchange, u, d) => {
      const outbox = new ChannelOutbox(portOf(data, channelKey(exchange, u, d)), capacity);
      ends.push(outbox);
      return outbox;
    },
    reader: (exchange, u, d) => {
      const inbox = new ChannelInbox(portOf(data, channelKey(exchange, u, d)), capacity);
      ends.push(inbox);
      return inbox;
    },
  };
  const subtasks = instantiate(
    graph,
    {
      control,
      clock: plan.config.clock ?? systemClock,
      config: plan.config,
      metrics,
      logger,
      checkpoints: host,
      restore,
    },
    { connectors, jobId: data.jobId, bootstrap: data.bootstrap, stateDir: data.stateDir, placement },
  );
  const byName = new Map<string, Subtask>(subtasks.map((subtask) => [subtask.name, subtask]));

  parent.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'begin':
        targets.set(message.id, fromWireTarget(message.target));
        post({ type: 'begun', id: message.id });
        return;
      case 'withdraw':
        targets.delete(message.id);
        return;
      case 'barrier':
        byName.get(message.subtask)?.requestBarrier(message.id);
        return;
      case 'resume':
        byName.get(message.subtask)?.resume();
        return;
      case 'call': {
        const subtask = byName.get(message.subtask);
        const run =
          subtask === undefined
            ? Promise.resolve()
            : message.op === 'commit'
              ? subtask.commit(message.id, message.positions ?? [])
              : subtask.notifyCheckpointComplete(message.id);
        run.then(
          () => post({ type: 'reply', call: message.call }),
          (error: unknown) => post({ type: 'reply', call: message.call, error: toWireError(error) }),
        );
        return;
      }
      case 'stop':
        stoppedByMain = true;
        control.cancel();
        return;
      case 'service':
        for (const handler of serviceHandlers) handler(message.payload);
        return;
    }
  });

  post({ type: 'ready', subtasks: subtasks.map((s) => ({ name: s.name, isSource: s.isSource })) });
  const ticker = setInterval(
    () => post({ type: 'metrics', metrics: metrics.snapshot() }),
    METRICS_INTERVAL_MS,
  );
  ticker.unref();
  try {
    await Promise.all(subtasks.map((subtask) => subtask.run()));
  } finally {
    clearInterval(ticker);
    for (const end of ends) end.close();
    post({ type: 'metrics', metrics: metrics.snapshot() });
    post({ type: 'done' });
  }
}

function portOf(data: SlotData, key: string): MessagePort {
  const port = data.ports[key];
  if (port === undefined) throw new Error(`slot ${data.slot} was given no port for channel ${key}`);
  return port;
}
