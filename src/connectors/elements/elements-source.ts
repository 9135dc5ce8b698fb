import { z } from 'zod';
import type { SourceChunk, SourceContext, SourceReader, SplitPosition } from '../../engine/source.ts';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { type Connector, sourceSide } from '../connector.ts';
import { chunkOf } from '../shared/chunk.ts';
import { parseConfig } from '../shared/config-error.ts';
import { restoredSubtaskPosition } from '../shared/replay-position.ts';
import { arrayRef } from '../shared/schemas.ts';

export const elementsConfig = z.strictObject({ elements: arrayRef<unknown>('the elements to emit') });

const SPLIT = 'elements';

/**
 * Emits a fixed array. With parallelism p, subtask i emits the elements whose index % p === i, so the
 * order within a subtask follows the array. Replayable: its position is how many of its elements it
 * emitted, so a restored job goes on after the last element of the checkpoint.
 */
export class ElementsReader implements SourceReader<unknown> {
  private mine: unknown[] = [];
  private position = 0;
  private batchSize = 1;
  private finished = false;
  private subtask = 0;
  private parallelism = 1;
  private restored: readonly SplitPosition[] | undefined = undefined;
  private readonly elements: readonly unknown[];

  constructor(elements: readonly unknown[]) {
    this.elements = elements;
  }

  restorePositions(positions: readonly SplitPosition[]): void {
    this.restored = positions;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.batchSize = ctx.batchSize;
    this.subtask = ctx.subtaskIndex;
    this.parallelism = ctx.parallelism;
    for (let i = ctx.subtaskIndex; i < this.elements.length; i += ctx.parallelism)
      this.mine.push(this.elements[i]);
    if (this.restored !== undefined)
      this.position = restoredSubtaskPosition(this.restored, SPLIT, ctx, this.elements.length);
  }

  snapshotPositions(): SplitPosition[] {
    return [
      {
        split: `${SPLIT}-${this.subtask}`,
        position: { subtask: this.subtask, parallelism: this.parallelism, emitted: this.position },
      },
    ];
  }

  async poll(): Promise<SourceChunk<unknown>[] | null> {
    if (this.finished) return null;
    const values = this.mine.slice(this.position, this.position + this.batchSize);
    this.position += values.length;
    this.finished = this.position >= this.mine.length;
    return [chunkOf(SPLIT, values, { ended: this.finished })];
  }

  async close(): Promise<void> {
    this.mine = [];
  }
}

export const elementsConnector: Connector = {
  id: 'elements',
  source: sourceSide(elementsConfig, (config) => new ElementsReader(config.elements)),
};

/**
 * A bounded source of the given values.
 *
 * @example
 * env.fromSource(elementsSource([1, 2, 3]));
 */
export function elementsSource<T>(elements: readonly T[]): SourceDescriptor<T> {
  const config = { elements };
  parseConfig('elements source', elementsConfig, config);
  return { connector: 'elements', config, bounded: true };
}
