// Group commit: many writers share one fdatasync. A writer calls sync() after its write() returned; the
// promise resolves once a flush that STARTED after that moment has finished. While a flush is in flight,
// every new caller joins the single next flush, so N concurrent appends cost about two fdatasyncs.

/**
 * Coalesces flush requests. `flush` must make durable everything written before it was called.
 *
 * @example
 * const commit = new GroupCommit(() => fh.datasync());
 * await fh.write(bytes); await commit.sync(); // bytes are on disk
 */
export class GroupCommit {
  private readonly flush: () => Promise<void>;
  private running: Promise<void> | null = null;
  private next: PromiseWithResolvers<void> | null = null;
  private started = 0;

  constructor(flush: () => Promise<void>) {
    this.flush = flush;
  }

  /** Resolves after a flush that began after this call completes; rejects if that flush fails. */
  sync(): Promise<void> {
    if (this.running === null) return this.start();
    // The running flush may have started before the caller's write, so it does not count.
    if (this.next === null) this.next = Promise.withResolvers<void>();
    return this.next.promise;
  }

  /** Flushes started so far (each is one fdatasync round); for stats and tests. */
  get flushes(): number {
    return this.started;
  }

  /** Whether a flush is in flight. */
  get busy(): boolean {
    return this.running !== null;
  }

  private start(): Promise<void> {
    this.started++;
    const run = (async () => this.flush())();
    this.running = run;
    const done = () => {
      this.running = null;
      const waiting = this.next;
      this.next = null;
      if (waiting !== null) this.start().then(waiting.resolve, waiting.reject);
    };
    run.then(done, done);
    return run;
  }
}
