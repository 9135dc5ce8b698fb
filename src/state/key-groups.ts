/**
 * Keys are spread over `maxParallelism` key groups; a subtask owns a contiguous range of them, so
 * keyed state can be redistributed to another parallelism by moving whole key groups (Flink's model).
 */
export interface KeyGroupRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/** A stable 32-bit hash of a key: strings and numbers by value, anything else by its JSON text. */
export function hashKey(key: unknown): number {
  const text =
    typeof key === 'string' ? key : typeof key === 'number' ? `n${key}` : `j${JSON.stringify(key)}`;
  // FNV-1a, then a murmur3 finalizer so nearby keys land in different groups.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function keyGroupOf(key: unknown, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The subtask that owns a key group at the given parallelism. */
export function subtaskForKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key groups a subtask owns; the inverse of subtaskForKeyGroup. */
export function keyGroupRangeFor(
  subtask: number,
  maxParallelism: number,
  parallelism: number,
): KeyGroupRange {
  const start = Math.ceil((subtask * maxParallelism) / parallelism);
  const end = Math.ceil(((subtask + 1) * maxParallelism) / parallelism) - 1;
  return { start, end };
}
