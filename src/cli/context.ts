import { type ConfigValues, DEFAULT_CONFIG_FILE, loadConfig } from '../common/config.ts';
import { createLogger, type Logger } from '../common/logging.ts';
import { CLI_SETTINGS } from './settings.ts';

export type CliConfig = ConfigValues<typeof CLI_SETTINGS>;

/** What a command needs from the process: resolved configuration, a logger and the output streams. */
export interface CliContext {
  /** Resolved settings; `commandFlags` are the running command's own flags, keyed by setting. */
  config(commandFlags?: Partial<Record<keyof CliConfig, unknown>>): CliConfig;
  logger(name?: string): Logger;
  /** Whether a broker address was given (flag or EDDY_BOOTSTRAP), rather than the default. */
  bootstrapGiven(): boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface GlobalFlags {
  logLevel?: string;
  bootstrap?: string;
  configFile?: string;
}

/** Resolves configuration lazily, so `eddy --help` works even with a broken config file. */
export function createContext(readFlags: () => GlobalFlags): CliContext {
  let resolved: CliConfig | undefined;
  const config = (commandFlags: Partial<Record<keyof CliConfig, unknown>> = {}): CliConfig => {
    const hasCommandFlags = Object.values(commandFlags).some((v) => v !== undefined);
    if (resolved && !hasCommandFlags) return resolved;
    const { configFile: flagFile, ...globalFlags } = readFlags();
    const namedFile = flagFile ?? (process.env.EDDY_CONFIG_FILE || undefined);
    resolved = loadConfig(CLI_SETTINGS, {
      flags: { ...globalFlags, ...commandFlags },
      env: process.env,
      file: namedFile ?? DEFAULT_CONFIG_FILE,
      fileRequired: namedFile !== undefined,
    });
    return resolved;
  };
  return {
    config,
    logger: (name) => createLogger({ level: config().logLevel, name }),
    bootstrapGiven: () => readFlags().bootstrap !== undefined || Boolean(process.env.EDDY_BOOTSTRAP),
    stdout: process.stdout,
    stderr: process.stderr,
  };
}
