import { availableParallelism } from 'node:os';
import { StreamError } from '../common/errors.ts';
import { parseDuration } from '../common/time.ts';
import type { CliCommand } from './command.ts';
import { parseJobFlags } from './job-file.ts';
import { positiveInt } from './parse.ts';
import { runJobFile } from './run-job-file.ts';
import { runScaledOutJobFile } from './run-scaled-out.ts';

interface RunFlags {
  parallelism?: string;
  jobId?: string;
  dataDir?: string;
  port?: string;
  stateDir?: string;
  checkpointInterval?: string;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
  scaleOut?: boolean;
}

/** A duration flag ("10s", "500ms", "2m", or ms) above 0, or CLI_BAD_ARGUMENT naming the flag. */
function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `${flag} needs a duration above 0 such as 10s or 500ms, got "${text}"`,
    );
  return ms;
}

/** The checkpoint flags; a state directory needs a job id, or a run started again could not find it. */
function checkpointFlags(flags: RunFlags) {
  const interval = duration('--checkpoint-interval', flags.checkpointInterval);
  if (flags.stateDir !== undefined && flags.jobId === undefined)
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      '--state-dir needs --job-id: a run started again with the same id goes on from its last checkpoint',
    );
  return {
    stateDir: flags.stateDir,
    checkpointInterval: interval,
    fromSavepoint: flags.fromSavepoint,
    allowNonRestoredState: flags.allowNonRestoredState === true,
  };
}

export const runCommand: CliCommand = {
  name: 'run',
  register(parent, context) {
    parent
      .command('run <job> [jobFlags...]')
      .description(
        'run a job file (its default export builds the job); without --bootstrap the embedded broker starts ' +
          'in-process. Flags for the job itself follow "--", e.g. eddy run job.ts -- --input-topic clicks',
      )
      .option(
        '--parallelism <n>',
        'default parallelism of the job, one worker thread per slot above 1 (default: the number of cores)',
      )
      .option('--job-id <id>', 'job id (default: the job name and a random suffix)')
      .option('--data-dir <dir>', 'embedded broker data directory (default .eddy/broker)')
      .option('--port <port>', 'embedded broker port (default 9092; 0 picks a free one)')
      .option(
        '--state-dir <dir>',
        'checkpoints go to <dir>/<job-id>; a run with the same --job-id goes on from the latest one',
      )
      .option(
        '--checkpoint-interval <duration>',
        'take a checkpoint this often, e.g. 10s (default 10s with --state-dir)',
      )
      .option('--from-savepoint <path>', 'start from this savepoint (or checkpoint) directory')
      .option(
        '--allow-non-restored-state',
        'drop state of operators the job no longer has instead of failing',
      )
      .option(
        '--scale-out',
        'run a share of the job: every process started with the same --job-id, --bootstrap and --state-dir ' +
          'divides its tasks (--parallelism: their number, default the partitions of its input)',
      )
      .action(async (job: string, jobFlags: string[], flags: RunFlags) => {
        const checkpoints = checkpointFlags(flags);
        const settings = context.config({ brokerDataDir: flags.dataDir, brokerPort: flags.port });
        const logger = context.logger('run');
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          if (flags.scaleOut === true) {
            const scaled = await runScaledOutJobFile({
              path: job,
              flags: parseJobFlags(jobFlags),
              tasks: positiveInt('--parallelism', flags.parallelism),
              jobId: flags.jobId,
              bootstrap: context.bootstrapGiven() ? settings.bootstrap : undefined,
              stateDir: checkpoints.stateDir,
              checkpointInterval: checkpoints.checkpointInterval,
              fromSavepoint: checkpoints.fromSavepoint,
              logger,
              signal: abort.signal,
            });
            logger.info({ jobId: scaled.jobId, tasks: scaled.tasks }, 'job running (scaled out)');
            await scaled.done;
            logger.info({ jobId: scaled.jobId }, 'this process left the job');
            return;
          }
          const running = await runJobFile({
            path: job,
            flags: parseJobFlags(jobFlags),
            parallelism: positiveInt('--parallelism', flags.parallelism) ?? availableParallelism(),
            jobId: flags.jobId,
            bootstrap: context.bootstrapGiven() ? settings.bootstrap : undefined,
            embeddedBroker: {
              dataDir: settings.brokerDataDir,
              port: settings.brokerPort,
              host: settings.brokerHost,
              durability: settings.brokerDurability,
              defaultPartitions: settings.brokerPartitions,
            },
            logger,
            signal: abort.signal,
            checkpoints,
          });
          logger.info(
            {
              jobId: running.jobId,
              bootstrap: running.bootstrap,
              ...(running.controlSocket === undefined ? {} : { control: running.controlSocket }),
            },
            'job running',
          );
          const result = await running.done;
          logger.info(
            {
              jobId: running.jobId,
              status: result.status,
              ...(result.savepoint ? { savepoint: result.savepoint } : {}),
            },
            'job ended',
          );
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
  },
};
