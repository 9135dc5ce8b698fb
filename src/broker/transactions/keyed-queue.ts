// One-at-a-time execution per key: the transaction coordinator runs each transactional id's
// read-modify-write steps in order, while different ids proceed in parallel.

/**
 * Runs tasks for the same key one after another, in call order; keys are independent.
 *
 * @example
 * const queue = new KeyedQueue();
 * await queue.run('txn-a', async () => { await persist(); });
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued before it for `key`; resolves or rejects with its outcome. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget idle keys, so the map holds only ids with work queued.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
