import { StreamError } from '../common/errors.ts';
import { controlJob } from '../job/job-control.ts';
import type { CliCommand } from './command.ts';
import { DEFAULT_STATE_DIR, type SavepointFlags, savepointTarget } from './savepoint.ts';

export const stopCommand: CliCommand = {
  name: 'stop',
  register(parent, context) {
    parent
      .command('stop <job-id>')
      .description(
        'stop a job that eddy run runs with --state-dir: with --savepoint after taking a savepoint ' +
          '(prints its directory; resume with eddy run --from-savepoint), else cancel it',
      )
      .option('--savepoint', 'take a savepoint first; the sources emit nothing after it')
      .option('--state-dir <dir>', `the --state-dir the job runs with (default ${DEFAULT_STATE_DIR})`)
      .option('--dir <dir>', 'where the savepoint goes (default <state-dir>/savepoints)')
      .action(async (jobId: string, flags: SavepointFlags & { savepoint?: boolean }) => {
        if (flags.dir !== undefined && flags.savepoint !== true)
          throw new StreamError('CLI_BAD_ARGUMENT', '--dir names where a savepoint goes; add --savepoint');
        const { address, dir } = savepointTarget(jobId, flags);
        if (flags.savepoint === true) {
          const answer = await controlJob(address, { command: 'stop', dir });
          context.stdout.write(`${String(answer.savepoint)}\n`);
        } else {
          await controlJob(address, { command: 'cancel' });
          context.stdout.write(`cancelled job ${jobId}\n`);
        }
      });
  },
};
