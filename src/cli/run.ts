import type { CliCommand } from './command.ts';
import { parseJobFlags } from './job-file.ts';
import { positiveInt } from './parse.ts';
import { runJobFile } from './run-job-file.ts';

interface RunFlags {
  parallelism?: string;
  jobId?: string;
  dataDir?: string;
  port?: string;
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
      .option('--parallelism <n>', 'default parallelism of the job (default 1)')
      .option('--job-id <id>', 'job id (default: the job name and a random suffix)')
      .option('--data-dir <dir>', 'embedded broker data directory (default .eddy/broker)')
      .option('--port <port>', 'embedded broker port (default 9092; 0 picks a free one)')
      .action(async (job: string, jobFlags: string[], flags: RunFlags) => {
        const settings = context.config({ brokerDataDir: flags.dataDir, brokerPort: flags.port });
        const logger = context.logger('run');
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          const running = await runJobFile({
            path: job,
            flags: parseJobFlags(jobFlags),
            parallelism: positiveInt('--parallelism', flags.parallelism),
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
          });
          logger.info({ jobId: running.jobId, bootstrap: running.bootstrap }, 'job running');
          const result = await running.done;
          logger.info({ jobId: running.jobId, status: result.status }, 'job ended');
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
  },
};
