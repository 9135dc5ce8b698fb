import { StreamError } from '../common/errors.ts';
import {
  addPartitions,
  createTopic,
  deleteTopic,
  describeTopic,
  listTopics,
  withAdmin,
} from '../kafka/admin.ts';
import type { CliCommand } from './command.ts';
import { collect, keyValuePairs, positiveInt } from './parse.ts';

export const topicsCommand: CliCommand = {
  name: 'topics',
  register(parent, context) {
    const topics = parent.command('topics').description('create, list, describe, grow and delete topics');
    const admin = () => ({ bootstrap: context.config().bootstrap, clientId: 'eddy-cli' });

    topics
      .command('create <name>')
      .description('create a topic')
      .option('--partitions <n>', 'number of partitions (default: the broker default)')
      .option('--config <key=value>', 'topic config, repeatable (e.g. retention.ms=60000)', collect, [])
      .action(async (name: string, flags: { partitions?: string; config: string[] }) => {
        const partitions = positiveInt('--partitions', flags.partitions) ?? -1;
        const configs = keyValuePairs('--config', flags.config);
        await withAdmin(admin(), (client) => createTopic(client, name, partitions, configs));
        context.stdout.write(`created topic ${name}\n`);
      });

    topics
      .command('list')
      .description('list topics, one per line')
      .action(async () => {
        const names = await withAdmin(admin(), listTopics);
        for (const name of [...names].sort()) context.stdout.write(`${name}\n`);
      });

    topics
      .command('describe <name>')
      .description('show partitions and every config of a topic')
      .action(async (name: string) => {
        const topic = await withAdmin(admin(), (client) => describeTopic(client, name));
        const out = context.stdout;
        out.write(`topic ${topic.name}  id ${topic.id}  partitions ${topic.partitions.length}\n`);
        for (const p of topic.partitions) {
          out.write(
            `  partition ${p.partition}  leader ${p.leader}  replicas ${p.replicas.join(',')}  isr ${p.isr.join(',')}\n`,
          );
        }
        out.write('configs:\n');
        for (const c of topic.configs)
          out.write(`  ${c.name}=${c.value ?? ''}${c.isDefault ? '' : '  (set)'}\n`);
      });

    topics
      .command('add-partitions <name>')
      .description('raise the partition count of a topic (existing data stays where it is)')
      .option('--partitions <n>', 'the new total number of partitions, larger than the current one')
      .action(async (name: string, flags: { partitions?: string }) => {
        const partitions = positiveInt('--partitions', flags.partitions);
        if (partitions === undefined) {
          throw new StreamError(
            'CLI_BAD_ARGUMENT',
            'add-partitions needs --partitions <n>, the new total count',
          );
        }
        await withAdmin(admin(), (client) => addPartitions(client, name, partitions));
        context.stdout.write(`topic ${name} now has ${partitions} partitions\n`);
      });

    topics
      .command('delete <name>')
      .description('delete a topic and its data')
      .action(async (name: string) => {
        await withAdmin(admin(), (client) => deleteTopic(client, name));
        context.stdout.write(`deleted topic ${name}\n`);
      });
  },
};
