import { StreamError } from '../common/errors.ts';
import { inspectSnapshot, readStateEntries } from '../job/snapshot-inspect.ts';
import type { CliCommand } from './command.ts';
import { positiveInt } from './parse.ts';
import { formatEntries, formatInspection, toJson } from './state-inspect-format.ts';

interface InspectFlags {
  operator?: string;
  state?: string;
  limit?: string;
  json?: boolean;
}

/** Entries printed by `--operator --state` unless `--limit` says otherwise. */
const DEFAULT_ENTRY_LIMIT = 20;

export const stateCommand: CliCommand = {
  name: 'state',
  register(parent, context) {
    const state = parent.command('state').description('look into checkpoints and savepoints');
    state
      .command('inspect <path>')
      .description(
        'show a checkpoint or savepoint directory: its job, operators, their states with key counts and ' +
          'sizes, and source positions; with --operator and --state, the entries of one state',
      )
      .option('--operator <uid>', 'the operator uid whose state to print (see the UID column)')
      .option('--state <name>', 'the state to print entries of (see the STATE column)')
      .option('--limit <n>', `print at most this many entries (default ${DEFAULT_ENTRY_LIMIT})`)
      .option('--json', 'print JSON for programs instead of tables')
      .action(async (path: string, flags: InspectFlags) => {
        const limit = positiveInt('--limit', flags.limit) ?? DEFAULT_ENTRY_LIMIT;
        if ((flags.operator === undefined) !== (flags.state === undefined))
          throw new StreamError(
            'CLI_BAD_ARGUMENT',
            '--operator and --state go together: name the operator uid and one of its states',
          );
        const out = context.stdout;
        if (flags.operator !== undefined && flags.state !== undefined) {
          const result = await readStateEntries(path, {
            operator: flags.operator,
            state: flags.state,
            limit,
          });
          out.write(flags.json ? `${toJson(result)}\n` : formatEntries(flags.operator, flags.state, result));
          return;
        }
        const report = await inspectSnapshot(path);
        out.write(flags.json ? `${toJson(report)}\n` : formatInspection(report));
      });
  },
};
