import type { Logger } from 'pino';
import type { JobPlan } from '../../plan/nodes.ts';
import type { ConnectorResolver } from '../connector-resolver.ts';
import { asStreamError } from '../job-control.ts';
import { findLatest, type RestorePoint } from './restore.ts';
import { listCheckpoints, readManifest, readSavepointRecords } from './storage.ts';

export type RestoreFrom = 'latest' | { readonly path: string };

/**
 * The newest checkpoint an external system says was committed, asked per source node (the Kafka
 * exactly-once sink commits the source's offsets with the checkpoint id). The largest answer wins: a
 * commit of N means N's output is out, so restoring before N would repeat it.
 */
export async function committedByExternalSinks(
  plan: JobPlan,
  connectors: ConnectorResolver,
  context: { jobId: string; bootstrap?: string },
): Promise<number | undefined> {
  const ask = connectors.committedCheckpoint;
  if (ask === undefined) return undefined;
  let newest: number | undefined;
  for (const node of plan.nodes) {
    if (node.kind !== 'source') continue;
    let answer: number | undefined;
    try {
      answer = await ask.call(connectors, node.source, {
        jobId: context.jobId,
        jobName: plan.config.jobName,
        operatorName: node.name,
        bootstrap: context.bootstrap,
      });
    } catch (error) {
      throw asStreamError(error, `asking source "${node.name}" which checkpoint was committed`);
    }
    if (answer !== undefined && (newest === undefined || answer > newest)) newest = answer;
  }
  return newest;
}

/** Where the first attempt starts: a checkpoint/savepoint path, the job's latest, or nothing. */
export async function initialRestorePoint(input: {
  restoreFrom: RestoreFrom | undefined;
  stateDir: string | undefined;
  jobId: string;
  committed: () => Promise<number | undefined>;
  logger?: Logger;
}): Promise<RestorePoint | undefined> {
  const { restoreFrom, stateDir, jobId } = input;
  if (restoreFrom === undefined) return undefined;
  if (restoreFrom !== 'latest') return readManifest(restoreFrom.path);
  if (stateDir === undefined) return undefined;
  return findLatest(stateDir, jobId, await input.committed(), input.logger);
}

/** The first free checkpoint id: above the restored one and above everything stored for this job. */
export async function firstCheckpointId(
  stateDir: string | undefined,
  jobId: string,
  restored: RestorePoint | undefined,
): Promise<number> {
  let max = restored?.manifest.checkpointId ?? 0;
  if (stateDir !== undefined) {
    for (const stored of await listCheckpoints(stateDir, jobId)) max = Math.max(max, stored.id);
    for (const record of await readSavepointRecords(stateDir, jobId))
      max = Math.max(max, record.checkpointId);
  }
  return max + 1;
}
