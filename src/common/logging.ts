import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level?: LogLevel;
  /** Component name shown in every line, e.g. `broker`. */
  name?: string;
  /** File descriptor to write to; stderr by default so stdout stays free for data (`eddy consume`). */
  fd?: number;
}

/**
 * Creates a JSON-lines logger (pino).
 *
 * @example
 * const log = createLogger({ level: 'debug', name: 'broker' });
 * log.info({ port: 9092 }, 'listening');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { level: options.level ?? 'info', name: options.name, base: { pid: process.pid } },
    pino.destination({ fd: options.fd ?? 2, sync: true }),
  );
}
