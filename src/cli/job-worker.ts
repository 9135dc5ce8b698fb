// The module each task-slot worker thread of `eddy run` imports (ThreadsOptions.setupModule): it
// builds the same plan as the main thread, with the built-in connectors, and routes the exactly-once
// Kafka sinks' transaction to the main thread's (one transaction per process).
import { useTransactionsOf } from '../connectors/kafka/remote-transaction.ts';
import { connectorResolver } from '../connectors/registry.ts';
import type { WorkerSetup } from '../engine/threads/protocol.ts';
import { buildJobFilePlan, type JobFilePlanArgs } from './job-plan.ts';

export async function setupWorker(args: unknown): Promise<WorkerSetup> {
  const plan = await buildJobFilePlan(args as JobFilePlanArgs);
  return { plan, connectors: connectorResolver, connect: (pipe) => useTransactionsOf(pipe) };
}

/** What `eddy run` passes as ExecuteOptions.threads. */
export const JOB_WORKER_MODULE = import.meta.url;
