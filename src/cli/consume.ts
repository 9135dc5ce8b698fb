import { consumeValues } from '../kafka/console.ts';
import type { CliCommand } from './command.ts';
import { positiveInt } from './parse.ts';

interface ConsumeFlags {
  fromBeginning?: boolean;
  group?: string;
  maxMessages?: string;
  timeoutMs?: string;
}

export const consumeCommand: CliCommand = {
  name: 'consume',
  register(parent, context) {
    parent
      .command('consume <topic>')
      .description('print record values, one per line')
      .option('--from-beginning', 'start at the earliest offset when there is no committed offset')
      .option('--group <group>', 'consume as a member of this group and commit offsets')
      .option('--max-messages <n>', 'exit after n records')
      .option('--timeout-ms <ms>', 'exit when no record arrives for this long')
      .action(async (topic: string, flags: ConsumeFlags) => {
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          await consumeValues(
            {
              bootstrap: context.config().bootstrap,
              topic,
              group: flags.group,
              fromBeginning: flags.fromBeginning === true,
              maxMessages: positiveInt('--max-messages', flags.maxMessages),
              timeoutMs: positiveInt('--timeout-ms', flags.timeoutMs),
              signal: abort.signal,
            },
            (value) => context.stdout.write(`${value ?? ''}\n`),
          );
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
  },
};
