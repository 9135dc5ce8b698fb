import { Command } from 'commander';
import { closestSpelling } from '../common/spelling.ts';

/** Exit status for usage errors (unknown command or flag, bad argument), as most CLIs use. */
export const USAGE_EXIT_CODE = 2;

/**
 * commander's Command with eddy's error style: one line that names the problem and the closest valid
 * spelling, exit status 2.
 */
export class EddyCommand extends Command {
  override createCommand(name?: string): EddyCommand {
    return new EddyCommand(name);
  }

  // commander calls these two on bad input; they are not in its type declarations, hence no `override`.
  unknownCommand(): never {
    const name = this.args[0] ?? '';
    const names = this.commands.filter((c) => !isHidden(c)).map((c) => c.name());
    const closest = closestSpelling(name, names);
    const hint = closest ? ` (closest: '${closest}')` : '';
    return this.error(`unknown command '${name}'${hint}; run 'eddy --help' for the list`, {
      code: 'commander.unknownCommand',
      exitCode: USAGE_EXIT_CODE,
    });
  }

  unknownOption(flag: string): never {
    const flags: string[] = [];
    for (let command: Command | null = this; command; command = command.parent) {
      for (const option of command.options) {
        if (option.long) flags.push(option.long);
        if (option.short) flags.push(option.short);
      }
    }
    flags.push('--help');
    // Compare like with like: a mistyped long flag should not be "corrected" to a one-letter one.
    const sameStyle = flags.filter((f) => f.startsWith('--') === flag.startsWith('--'));
    const closest = closestSpelling(flag, sameStyle.length > 0 ? sameStyle : flags);
    const where = this.parent ? ` for 'eddy ${this.name()}'` : '';
    const hint = closest ? ` (closest: '${closest}')` : '';
    return this.error(`unknown option '${flag}'${where}${hint}`, {
      code: 'commander.unknownOption',
      exitCode: USAGE_EXIT_CODE,
    });
  }
}

function isHidden(command: Command): boolean {
  return (command as Command & { _hidden?: boolean })._hidden === true;
}
