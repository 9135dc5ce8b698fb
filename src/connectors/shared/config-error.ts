import type { z } from 'zod';
import { StreamError } from '../../common/errors.ts';
import { closestSpelling } from '../../common/spelling.ts';

/**
 * Turns a failed config parse into a StreamError whose message names the connector, each bad key and
 * what the key allows; unknown keys get a spelling suggestion and the list of allowed keys.
 *
 * @example
 * const result = schema.safeParse(config);
 * if (!result.success) throw invalidConfig('kafka source', schema, result.error, config);
 */
export function invalidConfig(
  label: string,
  schema: z.ZodType,
  error: z.ZodError,
  input: unknown,
): StreamError {
  const problems = error.issues.flatMap((issue) => describeIssue(schema, issue, input));
  return new StreamError('CON_INVALID_CONFIG', `${label} config is invalid: ${problems.join('; ')}`, {
    details: { connector: label, problems },
  });
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue, input: unknown): string[] {
  const at = renderPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const suggestion = allowed.length > 0 ? closestSpelling(key, allowed) : undefined;
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      const where = at === '' ? '' : ` in "${at}"`;
      return `unknown key "${key}"${where}${hint}; allowed keys: ${allowed.join(', ')}`;
    });
  }
  if (issue.code === 'invalid_type' && at !== '' && valueAt(input, issue.path) === undefined) {
    return [`"${at}" is required (expected ${issue.expected})`];
  }
  const name = at === '' ? 'config' : `"${at}"`;
  return [`${name}: ${cleanMessage(issue.message)}`];
}

/** zod's defaults start with "Invalid input: "; the key name already says where. */
function cleanMessage(message: string): string {
  return message.replace(/^Invalid (input|option): /, '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function renderPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

interface SchemaInternals {
  def?: { type?: string; shape?: Record<string, unknown>; innerType?: unknown };
}

/** The keys an object schema at `path` accepts (looking through optional/default wrappers). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const part of path) {
    const shape = current?.def?.shape;
    if (shape === undefined || typeof part !== 'string') return [];
    current = unwrap(shape[part]);
  }
  return Object.keys(current?.def?.shape ?? {});
}

function unwrap(schema: unknown): SchemaInternals | undefined {
  let current = schema as SchemaInternals | undefined;
  for (let depth = 0; depth < 5 && current?.def?.innerType !== undefined; depth++) {
    current = current.def.innerType as SchemaInternals;
  }
  return current;
}

/**
 * Parses `config` with `schema`, throwing CON_INVALID_CONFIG (naming `label`) when it does not match.
 *
 * @example const config = parseConfig('datagen source', datagenConfig, { generate: (i) => i, count: -1 });
 */
export function parseConfig<S extends z.ZodType>(label: string, schema: S, config: unknown): z.output<S> {
  const result = schema.safeParse(config);
  if (!result.success) throw invalidConfig(label, schema, result.error, config);
  return result.data;
}
