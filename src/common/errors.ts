import { ERROR_CODES, type ErrorCode, type ErrorDomain } from './error-codes/index.ts';

export type { ErrorCode, ErrorDomain } from './error-codes/index.ts';

export interface StreamErrorOptions {
  cause?: unknown;
  /** Structured facts (key, value, path...) for logs and for programs that handle the error. */
  details?: Record<string, unknown>;
  /** Overrides the registry's retry hint when the situation knows better. */
  retriable?: boolean;
}

/**
 * The one error type eddy raises. The code comes from a module registry (see docs/reference/errors.md);
 * the message says what was wrong and what to do about it.
 *
 * @example
 * throw new StreamError('CFG_INVALID_VALUE', 'log level "loud" is not one of trace, debug, info');
 */
export class StreamError extends Error {
  readonly code: ErrorCode;
  readonly domain: ErrorDomain;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: StreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec = ERROR_CODES[code];
    this.name = 'StreamError';
    this.code = code;
    this.domain = spec.domain;
    this.retriable = options.retriable ?? spec.retriable;
    this.details = options.details ?? {};
  }
}

export function isStreamError(value: unknown, code?: ErrorCode): value is StreamError {
  return value instanceof StreamError && (code === undefined || value.code === code);
}
