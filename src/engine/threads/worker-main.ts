// The script of every task-slot worker thread (see threaded-slots.ts): runs its slot, reports a failure
// to set it up as a failed task, and leaves once the main thread closes its port.
import { enableCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, SlotData } from './protocol.ts';

// A worker imports the engine, the connectors and the job again: Node's on-disk compile cache (in the
// OS temp dir) saves most of that compiling the second time. Enabled before those imports run.
enableCompileCache?.();
const { toWireError } = await import('./protocol.ts');
const { runSlot } = await import('./slot-worker.ts');

const data = workerData as SlotData;
const parent = parentPort!;
runSlot(data, parent).catch((error: unknown) => {
  const failed: FromWorker = {
    type: 'failed',
    task: `slot ${data.slot} (setting up)`,
    error: toWireError(error),
  };
  parent.postMessage(failed);
  parent.postMessage({ type: 'done' } satisfies FromWorker);
});
