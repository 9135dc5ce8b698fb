import { basename, extname } from 'node:path';
import { createEnvironment } from '../api/index.ts';
import { StreamError } from '../common/errors.ts';
import type { Logger } from '../common/logging.ts';
import { type EmbeddedBrokerOptions, type RunningJob, startEmbeddedBroker, startJob } from '../job/index.ts';
import { loadJobFile } from './job-file.ts';

export interface RunJobFileOptions {
  readonly path: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly parallelism?: number;
  readonly jobId?: string;
  /** Given: use that broker. Absent: start the embedded broker with `embeddedBroker`. */
  readonly bootstrap?: string;
  readonly embeddedBroker: EmbeddedBrokerOptions;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/**
 * What `eddy run` does: start the embedded broker unless a bootstrap was given, import the job file,
 * let it build the job on a fresh environment, and start the plan. The default parallelism comes from
 * the command line; a job that sets its own wins, as in Flink.
 */
export async function runJobFile(options: RunJobFileOptions): Promise<RunningJob> {
  const define = await loadJobFile(options.path);
  const broker = options.bootstrap === undefined ? await startOwnBroker(options) : undefined;
  try {
    const bootstrap = options.bootstrap ?? broker?.bootstrap;
    const jobName = basename(options.path, extname(options.path));
    const env = createEnvironment({ jobName, parallelism: options.parallelism });
    await define(env, { flags: options.flags, bootstrap });
    return startJob(env.toPlan(), {
      jobId: options.jobId,
      bootstrap,
      ownedBroker: broker,
      logger: options.logger,
      signal: options.signal,
    });
  } catch (error) {
    await broker?.close();
    throw error;
  }
}

/**
 * The embedded broker; a port it cannot have becomes a usage error that says what to pass instead,
 * since the usual cause is a second `eddy run` on the default port.
 */
async function startOwnBroker(options: RunJobFileOptions) {
  try {
    return await startEmbeddedBroker({ ...options.embeddedBroker, logger: options.logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const where = `${options.embeddedBroker.host ?? 'localhost'}:${options.embeddedBroker.port ?? 9092}`;
    const why =
      code === 'EADDRINUSE' ? 'the port is in use (another eddy run or broker?)' : 'permission denied';
    throw new StreamError(
      'CLI_BAD_ARGUMENT',
      `the embedded broker cannot listen on ${where}: ${why}. Pass --port 0 to let it pick a free port, ` +
        'or --bootstrap host:port to run the job against a broker that is already running',
      { cause: error },
    );
  }
}
