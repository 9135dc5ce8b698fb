import { z } from 'zod';
import { type ConfigValues, DEFAULT_CONFIG_FILE, loadConfig } from '../common/config.ts';
import { createLogger, LOG_LEVELS, type Logger } from '../common/logging.ts';

/** Configuration keys every command shares; commands add their own flags beside these. */
export const CLI_CONFIG = {
  logLevel: {
    schema: z.enum(LOG_LEVELS),
    default: 'info' as (typeof LOG_LEVELS)[number],
    description: 'log level',
  },
  bootstrap: {
    schema: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092'),
    default: '127.0.0.1:9092',
    description: 'broker address (host:port)',
  },
};

export type CliConfig = ConfigValues<typeof CLI_CONFIG>;

/** What a command needs from the process: resolved configuration, a logger and the output streams. */
export interface CliContext {
  config(): CliConfig;
  logger(name?: string): Logger;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface GlobalFlags {
  logLevel?: string;
  bootstrap?: string;
  config?: string;
}

/** Resolves configuration lazily, so `eddy --help` works even with a broken config file. */
export function createContext(readFlags: () => GlobalFlags): CliContext {
  let resolved: CliConfig | undefined;
  const config = (): CliConfig => {
    if (!resolved) {
      const { config: flagFile, ...flags } = readFlags();
      const namedFile = flagFile ?? (process.env.EDDY_CONFIG || undefined);
      resolved = loadConfig(CLI_CONFIG, {
        flags,
        env: process.env,
        file: namedFile ?? DEFAULT_CONFIG_FILE,
        fileRequired: namedFile !== undefined,
      });
    }
    return resolved;
  };
  return {
    config,
    logger: (name) => createLogger({ level: config().logLevel, name }),
    stdout: process.stdout,
    stderr: process.stderr,
  };
}
