import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobDefinition } from '../api/job.ts';
import { StreamError } from '../common/errors.ts';

/**
 * Imports a job file and returns its default export, the function that builds the job. The file runs
 * with Node's type stripping, so it is plain TypeScript with no build step.
 */
export async function loadJobFile(path: string): Promise<JobDefinition> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new StreamError('CLI_BAD_ARGUMENT', `job file ${path} does not exist (looked at ${absolute})`);
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StreamError('CLI_JOB_FILE_INVALID', `job file ${path} could not be loaded: ${reason}`, {
      cause,
    });
  }
  if (typeof module.default !== 'function') {
    throw new StreamError(
      'CLI_JOB_FILE_INVALID',
      `job file ${path} must default-export a function that builds the job, e.g. ` +
        '`export default defineJob((env, args) => { ... })`',
    );
  }
  return module.default as JobDefinition;
}

/**
 * Job flags come after `--` on the command line: `--name value`, `--name=value`, or a bare `--name`
 * (meaning "true"). Names are kept as written, without the dashes.
 */
export function parseJobFlags(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      throw new StreamError('CLI_BAD_ARGUMENT', `job flags look like --name value; "${arg}" is not one`);
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags[body.slice(0, eq)] = body.slice(eq + 1);
    } else if (i + 1 < args.length && !(args[i + 1] ?? '').startsWith('--')) {
      flags[body] = args[++i] ?? '';
    } else {
      flags[body] = 'true';
    }
  }
  return flags;
}
