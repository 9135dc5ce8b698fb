import { StreamError } from '../../common/errors.ts';

/**
 * Argument checks for API calls. They throw at the call, so the stack trace points at the line of the
 * job that needs fixing; `what` names the argument the way the user wrote it ("window size").
 */
export function invalidArgument(message: string, details: Record<string, unknown> = {}): StreamError {
  return new StreamError('ENG_INVALID_ARGUMENT', message, { details });
}

/** A whole number of milliseconds (or elements) above zero. */
export function requirePositiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(`${what} must be a whole number above 0, got ${String(value)}`, { [what]: value });
  }
  return value;
}

/** A whole number of milliseconds that may be 0 (an out-of-orderness bound, an allowed lateness). */
export function requireNonNegativeInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${what} must be a whole number of 0 or more, got ${String(value)}`, {
      [what]: value,
    });
  }
  return value;
}

export function requireName(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw invalidArgument(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function requireFunction(value: unknown, what: string): void {
  if (typeof value !== 'function') {
    throw invalidArgument(`${what} must be a function, got ${typeOf(value)}`);
  }
}

/** For user function objects (ProcessFunction...): the named methods must exist. */
export function requireMethods(value: unknown, what: string, methods: readonly string[]): void {
  if (typeof value !== 'object' || value === null) {
    throw invalidArgument(`${what} must be an object with ${methods.join(' and ')}, got ${typeOf(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const method of methods) {
    if (typeof record[method] !== 'function') {
      throw invalidArgument(`${what} has no ${method}() method; it needs ${methods.join(' and ')}`);
    }
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
