import { brokerCommand } from './broker.ts';
import type { CliCommand } from './command.ts';
import { consumeCommand } from './consume.ts';
import { demoCommand } from './demo.ts';
import { produceCommand } from './produce.ts';
import { runCommand } from './run.ts';
import { savepointCommand } from './savepoint.ts';
import { stateCommand } from './state.ts';
import { stopCommand } from './stop.ts';
import { topicsCommand } from './topics.ts';
import { versionCommand } from './version.ts';

/** Every `eddy` subcommand, in help order. Add new commands here; nothing is discovered by scanning. */
export const CLI_COMMANDS: readonly CliCommand[] = [
  runCommand,
  savepointCommand,
  stopCommand,
  stateCommand,
  demoCommand,
  brokerCommand,
  topicsCommand,
  produceCommand,
  consumeCommand,
  versionCommand,
];
