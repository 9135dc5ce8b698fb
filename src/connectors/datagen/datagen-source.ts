import { z } from 'zod';
import type { SourceChunk, SourceContext, SourceReader, SplitPosition } from '../../engine/source.ts';
import { userFunctionFailed } from '../../engine/user-function-error.ts';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { type Connector, sourceSide } from '../connector.ts';
import { chunkOf } from '../shared/chunk.ts';
import { parseConfig } from '../shared/config-error.ts';
import { fn } from '../shared/schemas.ts';
import { sleep } from '../shared/wakeup.ts';
import {
  type DatagenPosition,
  type GeneratedLayer,
  generatedBefore,
  restoredStart,
} from './datagen-position.ts';

export const datagenConfig = z.strictObject({
  generate: fn<(index: number) => unknown>('index => element'),
  count: z.number().int().nonnegative().optional(),
  rate: z.number().positive({ error: 'must be a positive number of records per second' }).optional(),
});

export interface DatagenOptions<T> {
  /** Makes the element with this index (0, 1, 2, ... over all subtasks). */
  readonly generate: (index: number) => T;
  /** How many elements in all; without it the source never ends. */
  readonly count?: number;
  /** Records per second over all subtasks, paced by the job's clock; as fast as possible without it. */
  readonly rate?: number;
}

const SPLIT = 'datagen';

/**
 * Subtask i of p generates indexes i, i + p, i + 2p, ... below `count`. With a rate, each subtask may
 * have emitted rate / p records per second since open (by the job clock), so a slow consumer does not
 * cause a burst later beyond what the elapsed time allows. Replayable: its position is the next index,
 * so a restored job goes on with it, at any parallelism (datagen-position.ts).
 */
export class DatagenReader implements SourceReader<unknown> {
  private readonly options: DatagenOptions<unknown>;
  private ctx: SourceContext | undefined;
  private next = 0;
  /** Indexes earlier runs at other parallelisms generated: skipped (see datagen-position.ts). */
  private skip: readonly GeneratedLayer[] = [];
  private startedAt = 0;
  private emitted = 0;
  private finished = false;
  private restored: readonly SplitPosition[] | undefined = undefined;

  constructor(options: DatagenOptions<unknown>) {
    this.options = options;
  }

  restorePositions(positions: readonly SplitPosition[]): void {
    this.restored = positions;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const start = restoredStart(this.restored ?? [], ctx.subtaskIndex, ctx.parallelism);
    this.next = start.next;
    this.skip = start.skip;
    this.startedAt = ctx.clock.now();
  }

  snapshotPositions(): SplitPosition[] {
    const ctx = this.ctx!;
    const position: DatagenPosition =
      this.skip.length === 0
        ? {
            subtask: ctx.subtaskIndex,
            parallelism: ctx.parallelism,
            next: this.next,
            emitted: Math.ceil((this.next - ctx.subtaskIndex) / ctx.parallelism),
          }
        : { subtask: ctx.subtaskIndex, parallelism: ctx.parallelism, next: this.next, skip: this.skip };
    return [{ split: `${SPLIT}-${ctx.subtaskIndex}`, position }];
  }

  async poll(maxWaitMs: number): Promise<SourceChunk<unknown>[] | null> {
    const ctx = this.ctx;
    if (ctx === undefined) throw new Error('DatagenReader.poll() called before open()');
    if (this.finished) return null;
    let budget = this.budget(ctx);
    if (budget === 0) {
      await sleep(Math.min(maxWaitMs, this.msUntilNext(ctx)), ctx.signal);
      budget = this.budget(ctx);
    }
    const count = this.options.count ?? Number.POSITIVE_INFINITY;
    const values: unknown[] = [];
    while (values.length < budget && this.next < count) {
      if (this.skip.length > 0 && generatedBefore(this.skip, this.next)) {
        this.next += ctx.parallelism;
        continue;
      }
      try {
        values.push(this.options.generate(this.next));
      } catch (cause) {
        throw userFunctionFailed(ctx.operatorName, this.next, cause);
      }
      this.next += ctx.parallelism;
    }
    this.emitted += values.length;
    if (this.next >= count) {
      this.finished = true;
      return [chunkOf(SPLIT, values, { ended: true })];
    }
    return values.length === 0 ? [] : [chunkOf(SPLIT, values)];
  }

  async close(): Promise<void> {
    this.finished = true;
  }

  /** How many records this poll may emit. */
  private budget(ctx: SourceContext): number {
    if (this.options.rate === undefined) return ctx.batchSize;
    const allowed = Math.floor(((ctx.clock.now() - this.startedAt) * this.perSubtaskRate(ctx)) / 1000) + 1;
    return Math.max(0, Math.min(ctx.batchSize, allowed - this.emitted));
  }

  private msUntilNext(ctx: SourceContext): number {
    const dueAt = this.startedAt + (this.emitted * 1000) / this.perSubtaskRate(ctx);
    return Math.max(1, Math.ceil(dueAt - ctx.clock.now()));
  }

  private perSubtaskRate(ctx: SourceContext): number {
    return (this.options.rate ?? 0) / ctx.parallelism;
  }
}

export const datagenConnector: Connector = {
  id: 'datagen',
  source: sourceSide(datagenConfig, (config) => new DatagenReader(config)),
};

/**
 * Generated test data: bounded when `count` is set, optionally paced to `rate` records per second.
 *
 * @example
 * env.fromSource(datagenSource({ generate: (i) => ({ user: `u${i % 10}`, amount: i }), count: 1000 }));
 */
export function datagenSource<T>(options: DatagenOptions<T>): SourceDescriptor<T> {
  const config = { ...options };
  parseConfig('datagen source', datagenConfig, config);
  return { connector: 'datagen', config, bounded: options.count !== undefined };
}
