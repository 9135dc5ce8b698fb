import type { Command } from 'commander';
import type { CliContext } from './context.ts';

/** One `eddy` subcommand. Each lives in its own file and delegates the work to a module. */
export interface CliCommand {
  name: string;
  register(parent: Command, context: CliContext): void;
}
