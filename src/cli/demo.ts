import { StreamError } from '../common/errors.ts';
import { parseDuration } from '../common/time.ts';
import type { CliCommand } from './command.ts';
import { runDemo } from './demo/run-demo.ts';
import { positiveInt } from './parse.ts';

interface DemoFlags {
  duration?: string;
  rate?: string;
  speed?: string;
  port?: string;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  register(parent, context) {
    parent
      .command('demo')
      .description(
        'run the clickstream example end to end: embedded broker, click generator, the job, and live window results',
      )
      .option('--duration <time>', 'stop after this long, e.g. 30s or 2m (default: until Ctrl-C)')
      .option('--rate <n>', 'generated clicks per second (default 200)')
      .option('--speed <n>', 'simulated seconds per real second (default 10)')
      .option('--port <port>', 'broker port (default 0: a free one, printed at start)')
      .action(async (flags: DemoFlags) => {
        const duration = flags.duration === undefined ? undefined : parseDuration(flags.duration);
        if (duration === undefined && flags.duration !== undefined) {
          throw new StreamError(
            'CLI_BAD_ARGUMENT',
            `--duration needs a time like 30s or 2m, got "${flags.duration}"`,
          );
        }
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          const summary = await runDemo({
            duration,
            rate: positiveInt('--rate', flags.rate) ?? 200,
            speed: positiveInt('--speed', flags.speed) ?? 10,
            port: flags.port === undefined ? 0 : Number(flags.port),
            write: (text) => context.stdout.write(text),
            logger: context.logger('demo'),
            signal: abort.signal,
          });
          context.stdout.write(
            `demo ended (${summary.jobStatus}): ${summary.windows} windows shown, ` +
              `${summary.badRecords} bad records sent to dead-letters\n`,
          );
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
  },
};
