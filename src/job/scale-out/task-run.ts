import { join } from 'node:path';
import { StreamError } from '../../common/errors.ts';
import type { Logger } from '../../common/logging.ts';
import { committedByExternalSinks } from '../../engine/checkpoint/recovery.ts';
import { jobStateDir, listCheckpoints } from '../../engine/checkpoint/storage.ts';
import type { ConnectorResolver } from '../../engine/connector-resolver.ts';
import { executeJob, type JobExecution } from '../../engine/execute.ts';
import type { JobPlan } from '../../plan/nodes.ts';
import { CheckpointPublisher, checkpointTopic, fetchCheckpoint } from './checkpoint-topic.ts';
import type { RunningTask } from './task-supervisor.ts';

export interface TaskRunOptions {
  /** The split plan (splitAtKeyedEdges); the same in every process. */
  readonly staged: JobPlan;
  /** The job's id (group, topics); the task runs under `taskJobId(jobId, task)`. */
  readonly jobId: string;
  readonly task: number;
  readonly bootstrap: string;
  readonly stateDir: string;
  readonly connectors: ConnectorResolver;
  readonly logger?: Logger;
}

/** The engine job id of one task: its checkpoints, transactional id and offsets group derive from it. */
export function taskJobId(jobId: string, task: number): string {
  return `${jobId}.task-${task}`;
}

/**
 * Runs task `task` of a scaled-out job here: first makes sure the checkpoint Kafka says the task last
 * committed is on this process's disk (fetching it from the job's checkpoint topic when the task ran
 * elsewhere, with another state directory), then runs subtask `task` of the split plan, which restores
 * it. Every checkpoint is uploaded to the topic before its transaction commits, so whichever process
 * gets the task next finds the committed one.
 *
 * @example
 * const running = startTaskRun({ staged, jobId: 'clicks', task: 2, bootstrap, stateDir, connectors });
 * await running.stop();
 */
export function startTaskRun(options: TaskRunOptions): RunningTask {
  const { staged, jobId, task, bootstrap, stateDir, connectors, logger } = options;
  const id = taskJobId(jobId, task);
  const topic = checkpointTopic(jobId);
  const publisher = new CheckpointPublisher({ bootstrap, topic, partition: task });
  let execution: JobExecution | undefined;
  let stopped = false;

  const run = async () => {
    await ensureCommittedCheckpointHere(options, id, topic);
    if (stopped) return undefined;
    const current = executeJob(staged, {
      connectors,
      jobId: id,
      subtasks: [task],
      bootstrap,
      logger,
      stateDir,
      restoreFrom: 'latest',
      publishCheckpoint: async (checkpointId, dir) => {
        // Never prune the checkpoint a later owner would restore: the last completed one, or the restored one.
        const safe = current.metrics().checkpoints.latest ?? current.restoredFrom?.checkpointId;
        if (safe !== undefined) publisher.markCommitted(safe);
        await publisher.publish(checkpointId, dir);
      },
    });
    execution = current;
    return current.done;
  };
  const done = run().finally(() => publisher.close());
  done.catch(() => {});
  return {
    done,
    async stop() {
      stopped = true;
      await execution?.cancel();
      await done.catch(() => undefined);
    },
  };
}

/**
 * The checkpoint the task's Kafka offsets name as committed, on local disk: already there (this
 * process ran the task last, or the state directory is shared), or fetched from the checkpoint topic.
 * Neither: the task cannot go on without repeating or losing output, so it fails with what to check.
 */
async function ensureCommittedCheckpointHere(options: TaskRunOptions, id: string, topic: string) {
  const { staged, bootstrap, stateDir, connectors, task, logger } = options;
  const committed = await committedByExternalSinks(staged, connectors, { jobId: id, bootstrap });
  if (committed === undefined) return;
  const local = await listCheckpoints(stateDir, id);
  if (local.some((c) => c.id === committed && c.manifest !== undefined)) return;
  const checkpointsRoot = join(jobStateDir(stateDir, id), 'checkpoints');
  const fetched = await fetchCheckpoint({
    bootstrap,
    topic,
    partition: task,
    checkpointId: committed,
    checkpointsRoot,
  });
  if (fetched) {
    logger?.info({ task, checkpoint: committed, topic }, `fetched checkpoint ${committed} of task ${task}`);
    return;
  }
  throw new StreamError(
    'ENG_RESTORE_FAILED',
    `task ${task} committed checkpoint ${committed}, which is neither under ${checkpointsRoot} nor in ` +
      `topic "${topic}" (partition ${task}); was the topic deleted or its data lost? Restore the ` +
      'checkpoint directory there, or start the job afresh under a new --job-id',
    { details: { task, checkpointId: committed, topic } },
  );
}
