import type { Batch } from './batch.ts';
import type { SinkWriter } from './sink.ts';

/**
 * Calls a sink's write() one batch at a time: when a write is still pending, the next one waits behind
 * it. A chained sink can get two batches from one input step (a flatMap emitting twice, say), and a
 * SinkWriter is never written to concurrently. Synchronous writes cost no promise.
 *
 * @example
 * const serial = new SerialWriter(writer);
 * const pending = serial.write(batch); // undefined when the sink wrote synchronously
 * await serial.drain();
 */
export class SerialWriter {
  private readonly writer: SinkWriter<unknown>;
  private tail: Promise<void> | undefined = undefined;

  constructor(writer: SinkWriter<unknown>) {
    this.writer = writer;
  }

  write(batch: Batch<unknown>): Promise<void> | undefined {
    if (this.tail !== undefined) return this.follow(this.tail.then(() => this.writer.write(batch)));
    const result = this.writer.write(batch);
    return result ? this.follow(result) : undefined;
  }

  /** Calls the writer's watermark() in order with the writes; a failure fails the writes after it. */
  watermark(time: number): void {
    const writer = this.writer;
    if (writer.watermark !== undefined) this.inOrder(() => writer.watermark!(time));
  }

  /** Calls the writer's idle() in order with the writes; a failure fails the writes after it. */
  idle(idle: boolean): void {
    const writer = this.writer;
    if (writer.idle !== undefined) this.inOrder(() => writer.idle!(idle));
  }

  /**
   * Runs `action` (prepareCommit, commit) once every earlier write has finished; later writes wait for
   * it, so the writer never sees two calls at once.
   */
  exclusive<T>(action: () => Promise<T>): Promise<T> {
    const before = this.tail;
    const result = before === undefined ? action() : before.then(action);
    // The caller handles the result's rejection; the queue's copy must not surface as unhandled.
    this.follow(result.then(() => {})).catch(() => {});
    return result;
  }

  private inOrder(run: () => void | Promise<void>): void {
    const result = this.tail === undefined ? run() : this.tail.then(run);
    // The next write, prepareCommit or drain() rejects with the failure; this copy must not surface alone.
    if (result) this.follow(result).catch(() => {});
  }

  /** Resolves when every write so far has finished; rejects with the first write error. */
  async drain(): Promise<void> {
    while (this.tail !== undefined) await this.tail;
  }

  private follow(write: Promise<void>): Promise<void> {
    const tail: Promise<void> = write.then(() => {
      if (this.tail === tail) this.tail = undefined;
    });
    this.tail = tail;
    return tail;
  }
}
