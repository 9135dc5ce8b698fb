import type { Logger } from 'pino';
import { StreamError } from '../common/errors.ts';

/** Thrown inside a task to unwind it when the job stops; never reaches the user. */
export const STOPPED: unique symbol = Symbol('job stopped');

/**
 * The shared stop switch of one running job. The first failure or a cancel stops it: the abort
 * signal fires (sources see it in SourceContext.signal) and every task's pending wait ends, so tasks
 * leave their loops and close what they opened.
 *
 * @example
 * const control = new JobControl();
 * const chunks = await control.guard(reader.poll(100)); // throws STOPPED once the job stops
 */
export class JobControl {
  private readonly controller = new AbortController();
  private readonly stopListeners = new Set<() => void>();
  private firstError: StreamError | undefined;
  private wasCancelled = false;
  private savepointPath: string | undefined = undefined;
  private readonly logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.logger = logger;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  get error(): StreamError | undefined {
    return this.firstError;
  }

  get cancelled(): boolean {
    return this.wasCancelled && this.firstError === undefined && this.savepointPath === undefined;
  }

  /** Records the failure (only the first counts) and stops the job. */
  fail(cause: unknown, task: string): void {
    if (cause === STOPPED) return;
    if (this.stopping) {
      this.logger?.warn({ err: cause, task }, 'error while the job was stopping');
      return;
    }
    this.firstError = asStreamError(cause, `task "${task}"`);
    this.logger?.error({ err: this.firstError, task }, 'job failed');
    this.stop();
  }

  cancel(): void {
    if (this.stopping) return;
    this.wasCancelled = true;
    this.logger?.info('job cancelled');
    this.stop();
  }

  /** Stop-with-savepoint: the savepoint at `path` is complete; tear everything down without draining. */
  stopWithSavepoint(path: string): void {
    if (this.stopping) return;
    this.savepointPath = path;
    this.logger?.info({ savepoint: path }, 'job stopped with a savepoint');
    this.stop();
  }

  /** The savepoint the job stopped with, if it did. */
  get stoppedWith(): string | undefined {
    return this.firstError === undefined ? this.savepointPath : undefined;
  }

  /** Awaits `promise` unless the job stops first, in which case it throws STOPPED. */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.stopping) {
      promise.catch(() => {});
      return Promise.reject(STOPPED);
    }
    return new Promise<T>((resolve, reject) => {
      const onStop = (): void => reject(STOPPED);
      this.stopListeners.add(onStop);
      promise.then(
        (value) => {
          this.stopListeners.delete(onStop);
          resolve(value);
        },
        (error: unknown) => {
          this.stopListeners.delete(onStop);
          reject(error);
        },
      );
    });
  }

  private stop(): void {
    this.controller.abort();
    for (const listener of this.stopListeners) listener();
    this.stopListeners.clear();
  }
}

/**
 * Keeps StreamErrors as they are; anything else is a bug somewhere and becomes ENG_INTERNAL.
 * `where` completes "… failed unexpectedly", e.g. `task "clicks -> parse (1/2)"`.
 */
export function asStreamError(cause: unknown, where: string): StreamError {
  if (cause instanceof StreamError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StreamError(
    'ENG_INTERNAL',
    `${where} failed unexpectedly: ${reason}. This is a bug in eddy or in a connector; please report it with this message.`,
    { cause, details: { where } },
  );
}
