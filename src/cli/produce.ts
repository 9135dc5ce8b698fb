import { createInterface } from 'node:readline';
import { produceLines } from '../kafka/console.ts';
import type { CliCommand } from './command.ts';

export const produceCommand: CliCommand = {
  name: 'produce',
  register(parent, context) {
    parent
      .command('produce <topic>')
      .description('send one record per line of standard input (acks=all)')
      .option('--key-separator <s>', 'split each line at the first <s> into key and value')
      .action(async (topic: string, flags: { keySeparator?: string }) => {
        const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
        const sent = await produceLines(lines, {
          bootstrap: context.config().bootstrap,
          topic,
          keySeparator: flags.keySeparator,
        });
        context.logger('produce').info({ topic, sent }, 'produced');
      });
  },
};
