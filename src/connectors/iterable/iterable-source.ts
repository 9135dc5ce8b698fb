import { z } from 'zod';
import type { SourceChunk, SourceContext, SourceReader } from '../../engine/source.ts';
import { userFunctionFailed } from '../../engine/user-function-error.ts';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { type Connector, sourceSide } from '../connector.ts';
import { chunkOf } from '../shared/chunk.ts';
import { parseConfig } from '../shared/config-error.ts';

type AnyIterable = Iterable<unknown> | AsyncIterable<unknown>;

function isIterable(value: unknown): value is AnyIterable {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const v = value as Record<symbol, unknown>;
  return typeof v[Symbol.iterator] === 'function' || typeof v[Symbol.asyncIterator] === 'function';
}

export const iterableConfig = z.strictObject({
  iterable: z.custom<AnyIterable>(isIterable, { error: 'must be an Iterable or AsyncIterable' }),
});

const SPLIT = 'iterable';
const TIMED_OUT = Symbol('timed out');

/**
 * Emits what an (async) iterable yields, on subtask 0 only; other subtasks end at once. The iterable is
 * consumed once: a job that restarts cannot replay it.
 */
export class IterableReader implements SourceReader<unknown> {
  private readonly iterable: AnyIterable;
  private syncIterator: Iterator<unknown> | undefined;
  private asyncIterator: AsyncIterator<unknown> | undefined;
  /** A next() still running when the last poll gave up waiting; the next poll continues with it. */
  private pending: Promise<IteratorResult<unknown>> | undefined;
  private ctx: SourceContext | undefined;
  private count = 0;
  private finished = false;

  constructor(iterable: AnyIterable) {
    this.iterable = iterable;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    if (ctx.subtaskIndex !== 0) return;
    const iterable = this.iterable;
    if (Symbol.asyncIterator in iterable) this.asyncIterator = iterable[Symbol.asyncIterator]();
    else this.syncIterator = iterable[Symbol.iterator]();
  }

  async poll(maxWaitMs: number): Promise<SourceChunk<unknown>[] | null> {
    if (this.finished) return null;
    const ctx = this.context();
    if (this.syncIterator === undefined && this.asyncIterator === undefined) return this.end([]);
    const values: unknown[] = [];
    while (values.length < ctx.batchSize && !ctx.signal.aborted) {
      const next =
        this.syncIterator !== undefined ? this.nextSync() : await this.nextAsync(values, maxWaitMs);
      if (next === TIMED_OUT) break;
      if (next.done) return this.end(values);
      values.push(next.value);
      this.count++;
    }
    return values.length === 0 ? [] : [chunkOf(SPLIT, values)];
  }

  async close(): Promise<void> {
    this.finished = true;
    try {
      this.syncIterator?.return?.();
    } catch {
      // The iterable's own cleanup failing must not hide why the job stopped.
    }
    // An async generator busy in an await would hold close() until it yields; let it finish on its own.
    this.asyncIterator?.return?.().catch(() => undefined);
    this.syncIterator = undefined;
    this.asyncIterator = undefined;
  }

  private nextSync(): IteratorResult<unknown> {
    try {
      return this.syncIterator!.next();
    } catch (cause) {
      throw this.failed(cause);
    }
  }

  /** The next result, waiting up to maxWaitMs for the first value of a poll and not at all after. */
  private async nextAsync(
    collected: unknown[],
    maxWaitMs: number,
  ): Promise<IteratorResult<unknown> | typeof TIMED_OUT> {
    if (this.pending === undefined) {
      this.pending = this.asyncIterator!.next();
      this.pending.catch(() => undefined); // observed below; avoids an unhandled rejection if we close first
    }
    const pending = this.pending;
    const result = await raceTimeout(pending, collected.length === 0 ? maxWaitMs : 0, this.context().signal);
    if (result === TIMED_OUT) return TIMED_OUT;
    this.pending = undefined;
    if (result.error !== undefined) throw this.failed(result.error.cause);
    return result.value;
  }

  private end(values: unknown[]): SourceChunk<unknown>[] {
    this.finished = true;
    return [chunkOf(SPLIT, values, { ended: true })];
  }

  private failed(cause: unknown) {
    return userFunctionFailed(
      this.context().operatorName,
      `the iterable after ${this.count} elements`,
      cause,
    );
  }

  private context(): SourceContext {
    if (this.ctx === undefined) throw new Error('IterableReader.poll() called before open()');
    return this.ctx;
  }
}

type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: { cause: unknown } };

/** Settles with the promise's outcome, or TIMED_OUT after `ms` (0: only if it settles within this turn). */
function raceTimeout<T>(
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal,
): Promise<Settled<T> | typeof TIMED_OUT> {
  return new Promise((resolve) => {
    const finish = (outcome: Settled<T> | typeof TIMED_OUT) => {
      clearTimeout(timer);
      clearImmediate(immediate);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => finish(TIMED_OUT);
    // setImmediate runs after pending promise callbacks, so values an iterator already has still count.
    const immediate = ms <= 0 ? setImmediate(onAbort) : undefined;
    const timer = ms > 0 ? setTimeout(onAbort, ms) : undefined;
    signal.addEventListener('abort', onAbort);
    promise.then(
      (value) => finish({ value }),
      (cause: unknown) => finish({ error: { cause } }),
    );
  });
}

export const iterableConnector: Connector = {
  id: 'iterable',
  source: sourceSide(iterableConfig, (config) => new IterableReader(config.iterable)),
};

/**
 * A bounded source of what an Iterable or AsyncIterable yields (read once, on one subtask).
 *
 * @example
 * async function* ticks() { for (let i = 0; i < 3; i++) yield i; }
 * env.fromSource(iterableSource(ticks()));
 */
export function iterableSource<T>(iterable: Iterable<T> | AsyncIterable<T>): SourceDescriptor<T> {
  const config = { iterable };
  parseConfig('iterable source', iterableConfig, config);
  return { connector: 'iterable', config, bounded: true };
}
