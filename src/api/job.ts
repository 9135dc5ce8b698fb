import type { StreamEnvironment } from './environment.ts';

/** What a job file receives besides the environment. */
export interface JobArgs {
  /** Flags after `--` on the command line: `eddy run job.ts -- --topic clicks` gives `{ topic: 'clicks' }`. */
  readonly flags: Readonly<Record<string, string>>;
  /** The Kafka bootstrap address the job runs against (the embedded broker's, unless --bootstrap was given). */
  readonly bootstrap?: string;
}

/** A job file's default export: builds the job on the environment it is given. */
export type JobDefinition = (env: StreamEnvironment, args: JobArgs) => void | Promise<void>;

/**
 * Marks a job file's default export; it returns `fn` unchanged and exists so `env` and `args` are typed.
 *
 * @example
 * export default defineJob((env, { flags }) => {
 *   env.fromElements(1, 2, 3).map((n) => n * Number(flags.factor ?? 2)).print();
 * });
 */
export function defineJob(fn: JobDefinition): JobDefinition {
  return fn;
}
