import type { RawBadRecord, SourceChunk } from '../../engine/source.ts';

/**
 * A chunk for `split` whose records carry no timestamp of their own.
 *
 * @example chunkOf('elements', [1, 2, 3], { ended: true })
 */
export function chunkOf<T>(
  split: string,
  values: T[],
  extra: { ended?: boolean; bad?: RawBadRecord[] } = {},
): SourceChunk<T> {
  return {
    split,
    values,
    timestamps: new Array<number>(values.length).fill(Number.NaN),
    ...(extra.bad !== undefined && extra.bad.length > 0 ? { bad: extra.bad } : {}),
    ...(extra.ended === true ? { ended: true } : {}),
  };
}
