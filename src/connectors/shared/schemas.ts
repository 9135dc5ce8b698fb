import { z } from 'zod';

/**
 * Schema pieces shared by connector configs. Values the connector must use by reference (arrays it
 * pushes into, functions, iterables) are checked with z.custom, which keeps the original object where
 * z.array or z.object would copy it.
 */

/** A function, kept as is. */
export function fn<F>(what: string) {
  return z.custom<F>((value) => typeof value === 'function', { error: `must be a function (${what})` });
}

/** An array, kept by reference (elements are not validated). */
export function arrayRef<T>(what: string) {
  return z.custom<T[]>((value) => Array.isArray(value), { error: `must be an array (${what})` });
}

/** A positive number of milliseconds. */
export const durationMs = z
  .number({ error: 'must be a number of milliseconds' })
  .positive({ error: 'must be a positive number of milliseconds' });

/** A positive whole number. */
export const positiveInt = z
  .number({ error: 'must be a positive whole number' })
  .int({ error: 'must be a positive whole number' })
  .positive({ error: 'must be a positive whole number' });

/** A non-empty string. */
export const nonEmpty = z.string().min(1, { error: 'must not be empty' });
