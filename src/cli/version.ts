import { readFileSync } from 'node:fs';
import type { CliCommand } from './command.ts';

/** The package's version, read once from package.json. */
export function eddyVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const versionCommand: CliCommand = {
  name: 'version',
  register(parent, context) {
    parent
      .command('version')
      .description('print the eddy version')
      .action(() => {
        context.stdout.write(`${eddyVersion()}\n`);
      });
  },
};
