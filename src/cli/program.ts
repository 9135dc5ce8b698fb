import { CommanderError } from 'commander';
import { isStreamError } from '../common/errors.ts';
import { explainKafkaError } from '../kafka/explain-error.ts';
import { CLI_COMMANDS } from './command-list.ts';
import { createContext, type GlobalFlags } from './context.ts';
import { EddyCommand, USAGE_EXIT_CODE } from './eddy-command.ts';
import { eddyVersion } from './version.ts';

/** Builds the `eddy` program with its global flags and every registered subcommand. */
export function buildProgram(): EddyCommand {
  const program = new EddyCommand('eddy');
  const context = createContext(() => program.opts<GlobalFlags>());
  program
    .description('eddy: stream processing with an embedded Kafka-compatible broker')
    .version(eddyVersion(), '-V, --version', 'print the eddy version')
    .option(
      '--log-level <level>',
      'log level: trace, debug, info, warn, error, fatal, silent (env EDDY_LOG_LEVEL)',
    )
    .option('--bootstrap <host:port>', 'broker address (env EDDY_BOOTSTRAP; default 127.0.0.1:9092)')
    // Not `--config`: `eddy topics create --config k=v` uses that name for topic configs, as Kafka's tools do.
    .option('--config-file <path>', 'configuration file (env EDDY_CONFIG_FILE; default ./eddy.config.json)')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`eddy: ${text.replace(/^error: /, '').trim()}\n`),
    });
  // Validate configuration before any command runs, so a bad value fails fast whatever the command.
  program.hook('preAction', () => {
    context.config();
  });
  for (const command of CLI_COMMANDS) command.register(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and resolves with the process exit status. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end with exitCode 0; every usage error already printed its one line.
      return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    if (isStreamError(error)) {
      process.stderr.write(`eddy: ${error.message}\n`);
      return error.code.startsWith('CLI_') || error.code.startsWith('CFG_') ? USAGE_EXIT_CODE : 1;
    }
    // Failures from outside (a broker that is not there, a client library error): one line, exit 1.
    // The stack is only interesting when debugging, so it follows only at debug level.
    const message = explainKafkaError(error);
    process.stderr.write(`eddy: ${message}\n`);
    if (process.env.EDDY_LOG_LEVEL === 'debug' || process.env.EDDY_LOG_LEVEL === 'trace')
      console.error(error);
    return 1;
  }
}
