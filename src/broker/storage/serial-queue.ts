// Runs async tasks one at a time, in call order. A failed task does not stop the ones after it.

/**
 * A one-at-a-time queue: the storage layer's only lock.
 *
 * @example
 * const queue = new SerialQueue();
 * await queue.run(async () => { await write(); });
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
