import { join, resolve } from 'node:path';
import { controlJob } from '../job/job-control.ts';
import type { CliCommand } from './command.ts';

/** Where `eddy run` keeps state when `--state-dir` names no other place in these commands. */
export const DEFAULT_STATE_DIR = '.eddy/state';

export interface SavepointFlags {
  stateDir?: string;
  dir?: string;
}

/**
 * The job's address and the savepoint directory, made absolute here: the job resolves paths against
 * its own working directory, which need not be ours.
 */
export function savepointTarget(jobId: string, flags: SavepointFlags) {
  const stateDir = resolve(flags.stateDir ?? DEFAULT_STATE_DIR);
  const dir = resolve(flags.dir ?? join(stateDir, 'savepoints'));
  return { address: { stateDir, jobId }, dir };
}

export const savepointCommand: CliCommand = {
  name: 'savepoint',
  register(parent, context) {
    parent
      .command('savepoint <job-id>')
      .description(
        'take a savepoint of a job that eddy run runs with --state-dir; prints the savepoint directory',
      )
      .option('--state-dir <dir>', `the --state-dir the job runs with (default ${DEFAULT_STATE_DIR})`)
      .option('--dir <dir>', 'where the savepoint goes (default <state-dir>/savepoints)')
      .action(async (jobId: string, flags: SavepointFlags) => {
        const { address, dir } = savepointTarget(jobId, flags);
        const answer = await controlJob(address, { command: 'savepoint', dir });
        context.stdout.write(`${String(answer.savepoint)}\n`);
      });
  },
};
