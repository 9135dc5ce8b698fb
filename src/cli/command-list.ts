import type { CliCommand } from './command.ts';
import { versionCommand } from './version.ts';

/** Every `eddy` subcommand, in help order. Add new commands here; nothing is discovered by scanning. */
export const CLI_COMMANDS: readonly CliCommand[] = [versionCommand];
