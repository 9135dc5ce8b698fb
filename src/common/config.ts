import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { StreamError } from './errors.ts';
import { closestSpelling } from './spelling.ts';

/** One configuration key: its schema, default and a line of help. */
export interface ConfigKeySpec<T = unknown> {
  schema: z.ZodType<T>;
  default: T;
  description: string;
  /** The command-line flag that sets it, when not `--<key in kebab case>`. */
  flag?: string;
}

export type ConfigSpec = Record<string, ConfigKeySpec>;

export type ConfigValues<S extends ConfigSpec> = { [K in keyof S]: S[K]['default'] };

export interface ConfigSources {
  /** Values from command-line flags, already keyed by config key; undefined entries are ignored. */
  flags?: Record<string, unknown>;
  /** Environment to read `EDDY_*` variables from. */
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file. */
  file?: string;
  /** Whether a missing `file` is an error (true when the user named it explicitly). */
  fileRequired?: boolean;
}

export const DEFAULT_CONFIG_FILE = 'eddy.config.json';

/** `logLevel` → `EDDY_LOG_LEVEL`. */
export function envNameFor(key: string): string {
  return `EDDY_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/**
 * Resolves configuration with precedence flags > `EDDY_*` environment > config file > defaults, and
 * validates every value against its schema. A bad value names the key, where it came from, the value and
 * what is allowed.
 *
 * @example
 * const config = loadConfig({ logLevel: { schema: z.enum(['info', 'debug']), default: 'info', description: '' } },
 *   { env: process.env, file: 'eddy.config.json' });
 */
export function loadConfig<S extends ConfigSpec>(spec: S, sources: ConfigSources = {}): ConfigValues<S> {
  const fromFile = sources.file === undefined ? {} : readConfigFile(spec, sources.file, sources.fileRequired);
  const values: Record<string, unknown> = {};
  for (const [key, keySpec] of Object.entries(spec)) {
    const envName = envNameFor(key);
    const flag = sources.flags?.[key];
    const envText = sources.env?.[envName];
    let origin: string;
    let raw: unknown;
    if (flag !== undefined) {
      [origin, raw] = [`flag ${keySpec.flag ?? `--${kebab(key)}`}`, coerceText(flag, keySpec.default)];
    } else if (envText !== undefined && envText !== '') {
      [origin, raw] = [`environment variable ${envName}`, coerceText(envText, keySpec.default)];
    } else if (key in fromFile) {
      [origin, raw] = [`${sources.file}`, fromFile[key]];
    } else {
      values[key] = keySpec.default;
      continue;
    }
    values[key] = validate(key, keySpec, raw, origin);
  }
  return values as ConfigValues<S>;
}

function validate(key: string, keySpec: ConfigKeySpec, raw: unknown, origin: string): unknown {
  const result = keySpec.schema.safeParse(raw);
  if (result.success) return result.data;
  const allowed = result.error.issues.map((issue) => issue.message).join('; ');
  throw new StreamError(
    'CFG_INVALID_VALUE',
    `configuration key "${key}" (from ${origin}) has value ${JSON.stringify(raw)}: ${allowed}`,
    { details: { key, value: raw, origin } },
  );
}

/** Flags and environment variables arrive as text; turn them into the type the default has. */
function coerceText(value: unknown, defaultValue: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (typeof defaultValue === 'number') return value.trim() === '' ? value : Number(value);
  if (typeof defaultValue === 'boolean') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return value;
}

function readConfigFile(spec: ConfigSpec, path: string, required = false): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if (!required && (cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new StreamError('CFG_FILE_UNREADABLE', `cannot read config file ${path}: ${String(cause)}`, {
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new StreamError('CFG_FILE_UNREADABLE', `config file ${path} is not valid JSON: ${String(cause)}`, {
      cause,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new StreamError('CFG_FILE_UNREADABLE', `config file ${path} must hold a JSON object of keys`);
  }
  const known = Object.keys(spec);
  for (const key of Object.keys(parsed)) {
    if (!known.includes(key)) {
      const hint = closestSpelling(key, known);
      throw new StreamError(
        'CFG_UNKNOWN_KEY',
        `config file ${path} has unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ''}`,
        { details: { key, known } },
      );
    }
  }
  return parsed as Record<string, unknown>;
}

function kebab(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
