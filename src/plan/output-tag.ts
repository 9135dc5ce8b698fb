/**
 * Names a side output of type T. Two tags with the same id are the same output.
 *
 * @example
 * const late = outputTag<Click>('late-clicks');
 */
export interface OutputTag<T> {
  readonly id: string;
  readonly __type?: T;
}

export function outputTag<T>(id: string): OutputTag<T> {
  if (id.length === 0) throw new TypeError('an output tag needs a non-empty id');
  return { id };
}
