import { StreamError } from '../../common/errors.ts';
import type { SourceContext, SplitPosition } from '../../engine/source.ts';

/** The position of a replayable generated source (elements, datagen): how many of its own elements a subtask emitted. */
export interface SubtaskPosition {
  readonly subtask: number;
  readonly parallelism: number;
  readonly emitted: number;
}

/** How many of `count` elements (indexes 0..count-1) subtask `subtask` of `parallelism` owns. */
export function ownedCount(subtask: number, parallelism: number, count: number): number {
  return count <= subtask ? 0 : Math.ceil((count - subtask) / parallelism);
}

/**
 * This subtask's count of emitted elements from restored positions (0 when none are its). Subtask i of
 * p owns the indexes i, i + p, ...; at another parallelism that ownership changes, which only works
 * when the source had finished (every old subtask emitted all its elements): then nothing is left.
 *
 * @example
 * restoredSubtaskPosition(positions, 'elements', ctx, elements.length) // 2: skip the first two
 */
export function restoredSubtaskPosition(
  positions: readonly SplitPosition[],
  prefix: string,
  ctx: SourceContext,
  count: number,
): number {
  const own = positions
    .filter((p) => p.split.startsWith(`${prefix}-`))
    .map((p) => p.position as SubtaskPosition);
  if (own.length === 0) return 0;
  const mine = own.find((p) => p.subtask === ctx.subtaskIndex && p.parallelism === ctx.parallelism);
  if (mine !== undefined) return mine.emitted;
  const oldParallelism = own[0].parallelism;
  const finished =
    own.length === oldParallelism &&
    own.every((p) => p.emitted >= ownedCount(p.subtask, p.parallelism, count));
  if (finished) return ownedCount(ctx.subtaskIndex, ctx.parallelism, count);
  throw new StreamError(
    'CON_INVALID_CONFIG',
    `${ctx.operatorName} was checkpointed part-way at parallelism ${oldParallelism} and cannot resume at parallelism ${ctx.parallelism}; restore it at parallelism ${oldParallelism}`,
    { details: { operator: ctx.operatorName } },
  );
}
