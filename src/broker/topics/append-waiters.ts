// Lets long-polling fetches sleep until data arrives instead of polling: a waiter registers on the
// partitions it reads and is woken by the first append (or topic deletion) on any of them.

/** Identifies a partition for waiting: `topic` and `partition` joined by a NUL, which no topic name has. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Registry of sleeping fetches by partition.
 *
 * @example
 * const woken = await waiters.wait([partitionKey('orders', 0)], 500); // true if data came in time
 * waiters.notify(partitionKey('orders', 0)); // called after an append becomes readable
 */
export class AppendWaiters {
  private readonly byPartition = new Map<string, Set<() => void>>();

  /**
   * Resolves true when any of `keys` is notified, false after `timeoutMs`. An aborted `signal` resolves
   * false at once (a closed connection stops waiting).
   */
  wait(keys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (keys.length === 0 || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const finish = (woken: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        for (const key of keys) {
          const set = this.byPartition.get(key);
          if (set === undefined) continue;
          set.delete(wake);
          if (set.size === 0) this.byPartition.delete(key);
        }
        resolve(woken);
      };
      const wake = (): void => finish(true);
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const key of keys) {
        let set = this.byPartition.get(key);
        if (set === undefined) {
          set = new Set();
          this.byPartition.set(key, set);
        }
        set.add(wake);
      }
    });
  }

  /** Wakes every waiter on `key`. */
  notify(key: string): void {
    const set = this.byPartition.get(key);
    if (set === undefined) return;
    for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (broker shutdown). */
  notifyAll(): void {
    for (const set of [...this.byPartition.values()]) for (const wake of [...set]) wake();
  }

  /** Number of sleeping waiters (for tests). */
  get size(): number {
    const all = new Set<() => void>();
    for (const set of this.byPartition.values()) for (const wake of set) all.add(wake);
    return all.size;
  }
}
