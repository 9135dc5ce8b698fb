// The script of every task-slot worker thread (see threaded-slots.ts): runs its slot, reports a failure
// to set it up as a failed task, and leaves once the main thread closes its port.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, SlotData } from './protocol.ts';
import { toWireError } from './protocol.ts';
import { runSlot } from './slot-worker.ts';

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
