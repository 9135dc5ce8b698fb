import { join } from 'node:path';
import type { Logger } from 'pino';
import { StreamError } from '../../common/errors.ts';
import type { JobPlan, NodeId, PlanNode } from '../../plan/nodes.ts';
import type { NodeRestore } from './chain-snapshot.ts';
import { type CheckpointManifest, operatorUid, stateFilesOf } from './manifest.ts';
import { listCheckpoints, readManifest, readSavepointRecords } from './storage.ts';

/** A checkpoint or savepoint to start from. */
export interface RestorePoint {
  readonly dir: string;
  readonly manifest: CheckpointManifest;
}

/**
 * The checkpoint 'latest' means: the one an external system says it committed last (`committed`,
 * from the sinks' connectors — it may still be 'pending' if the process died between the commit and
 * marking it completed), else the newest completed checkpoint or savepoint of the job.
 */
export async function findLatest(
  stateDir: string,
  jobId: string,
  committed: number | undefined,
  logger?: Logger,
): Promise<RestorePoint | undefined> {
  const candidates: RestorePoint[] = [];
  for (const stored of await listCheckpoints(stateDir, jobId))
    if (stored.manifest !== undefined) candidates.push({ dir: stored.dir, manifest: stored.manifest });
  for (const record of await readSavepointRecords(stateDir, jobId)) {
    const read = await readManifest(record.path).catch(() => undefined);
    if (read !== undefined) candidates.push(read);
  }
  if (committed !== undefined) {
    const match = candidates.find((c) => c.manifest.checkpointId === committed);
    if (match !== undefined) return match;
    logger?.warn(
      { committed },
      'a sink names a committed checkpoint that is not on disk any more; restoring the latest completed one',
    );
  }
  let latest: RestorePoint | undefined;
  for (const candidate of candidates)
    if (
      candidate.manifest.state === 'completed' &&
      (latest === undefined || candidate.manifest.checkpointId > latest.manifest.checkpointId)
    )
      latest = candidate;
  return latest;
}

/**
 * Matches the operators of a checkpoint to the nodes of the plan by uid and says what each node
 * restores. Throws ENG_RESTORE_FAILED when state would be lost (an operator uid with state that the
 * plan lacks, unless `allowNonRestoredState`), when a uid now names another kind of operator, or when
 * keyed state meets another maxParallelism.
 */
export function planRestore(
  point: RestorePoint,
  plan: JobPlan,
  options: { allowNonRestoredState?: boolean; logger?: Logger },
): Map<NodeId, NodeRestore> {
  const { manifest, dir } = point;
  const byUid = new Map<string, PlanNode>(plan.nodes.map((node) => [operatorUid(node), node]));
  const restore = new Map<NodeId, NodeRestore>();
  const problems: string[] = [];
  const dropped: string[] = [];
  for (const op of manifest.operators) {
    const files = op.subtasks.flatMap((s) => stateFilesOf(s).map((f) => join(dir, f)));
    const withPositions = op.subtasks.filter((s) => s.positions !== undefined);
    const prepared = op.subtasks.flatMap((s) =>
      s.prepared === undefined ? [] : [{ subtask: s.subtask, value: s.prepared }],
    );
    const hasState = files.length > 0 || withPositions.length > 0 || prepared.length > 0;
    const node = byUid.get(op.uid);
    if (node === undefined) {
      if (hasState) dropped.push(`"${op.uid}" (${op.kind} "${op.name}")`);
      continue;
    }
    if (node.kind !== op.kind) {
      problems.push(
        `uid "${op.uid}" was a ${op.kind} operator and is now a ${node.kind} one; give the new operator another uid`,
      );
      continue;
    }
    if (files.length > 0 && manifest.maxParallelism !== plan.config.maxParallelism)
      problems.push(
        `operator "${op.uid}" has keyed state for maxParallelism ${manifest.maxParallelism} but the job now has ${plan.config.maxParallelism}; set it back to ${manifest.maxParallelism}`,
      );
    if (!hasState) continue;
    restore.set(node.id, {
      checkpointId: manifest.checkpointId,
      files,
      positions: withPositions.length > 0 ? withPositions.flatMap((s) => s.positions ?? []) : undefined,
      ...lowestWatermark(op.subtasks),
      prepared,
    });
  }
  if (dropped.length > 0 && options.allowNonRestoredState !== true)
    problems.push(
      `the checkpoint has state for operators this job does not have: ${dropped.join(', ')}; ` +
        'restore with allowNonRestoredState (eddy run --allow-non-restored-state) to drop it, or give the operators back their uids',
    );
  else if (dropped.length > 0)
    options.logger?.warn({ operators: dropped }, 'state of operators the job no longer has is dropped');
  if (problems.length > 0)
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `${manifest.kind} ${manifest.checkpointId} at ${dir} cannot be restored into job "${plan.config.jobName}":\n${problems
        .map((p) => `- ${p}`)
        .join('\n')}`,
      { details: { problems, path: dir } },
    );
  return restore;
}

/** At another parallelism a subtask may get any old subtask's keys or splits, so the lowest watermark is the safe one. */
function lowestWatermark(subtasks: readonly { readonly watermark?: number }[]): { watermark?: number } {
  let lowest = Number.POSITIVE_INFINITY;
  for (const s of subtasks) {
    if (s.watermark === undefined) return {};
    lowest = Math.min(lowest, s.watermark);
  }
  return subtasks.length === 0 ? {} : { watermark: lowest };
}
