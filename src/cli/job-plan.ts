import { basename, extname } from 'node:path';
import { createEnvironment } from '../api/index.ts';
import type { JobPlan } from '../plan/nodes.ts';
import { loadJobFile } from './job-file.ts';

/** Everything that decides a job file's plan; plain data, so a worker thread can build the same plan. */
export interface JobFilePlanArgs {
  readonly path: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly bootstrap?: string;
  readonly parallelism?: number;
  /** Checkpointing turned on from the command line (`--state-dir`, `--checkpoint-interval`). */
  readonly checkpointInterval?: number;
}

/**
 * Imports a job file and lets it build its job on a fresh environment named after the file. The
 * default parallelism comes from the command line; a job that sets its own wins, as in Flink.
 *
 * @example
 * const plan = await buildJobFilePlan({ path: 'job.ts', flags: {}, parallelism: 2 });
 */
export async function buildJobFilePlan(args: JobFilePlanArgs): Promise<JobPlan> {
  const define = await loadJobFile(args.path);
  const jobName = basename(args.path, extname(args.path));
  const env = createEnvironment({ jobName, parallelism: args.parallelism });
  if (args.checkpointInterval !== undefined) env.enableCheckpointing(args.checkpointInterval);
  await define(env, { flags: args.flags, bootstrap: args.bootstrap });
  return env.toPlan();
}
