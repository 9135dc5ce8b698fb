import type { SinkDescriptor } from '../../plan/connectors.ts';
import type { Batch } from '../batch.ts';
import type { SinkWriter, SourcePositions } from '../sink.ts';

/** What a writer's prepareCommit returns: enough to find the prepared records again. */
export interface PreparedRef {
  readonly key: string;
}

/** One prepareCommit, for tests that check what a checkpoint covered. */
export interface PrepareRecord {
  readonly checkpointId: number;
  readonly subtask: number;
  /** Everything this sink had received (all writers) when the prepare happened. */
  readonly receivedBefore: readonly unknown[];
}

/**
 * A two-phase-commit sink for engine tests, like a Kafka transactional producer: writes are invisible
 * until the checkpoint that covers them commits. `committed` is what a reader downstream would see;
 * `received` is every write (also those of failed attempts). It lives as long as the test, so a
 * restarted or restored job finds its prepared transactions again through recover().
 *
 * @example
 * const out = connectors.transactionalSink('out');
 * await job.done;
 * assert.deepEqual(out.committed, expected);
 */
export class TransactionalMemorySink {
  readonly descriptor: SinkDescriptor<unknown>;
  readonly committed: unknown[] = [];
  readonly received: unknown[] = [];
  readonly prepares: PrepareRecord[] = [];
  readonly commits: { checkpointId: number; subtask: number; positions: readonly SourcePositions[] }[] = [];
  /** Makes commit() reject, as a broker refusing to commit a transaction would. */
  failCommits = false;
  private readonly prepared = new Map<string, unknown[]>();
  private waiters: { count: number; resolve: () => void }[] = [];
  private gate: { promise: Promise<void>; release: () => void } | undefined = undefined;

  constructor(name: string) {
    this.descriptor = { connector: 'memory', config: { name } };
  }

  /** Every write returns a promise that settles on resume(): the sink holds its job back. */
  pause(): void {
    if (this.gate !== undefined) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = { promise, release };
  }

  resume(): void {
    this.gate?.release();
    this.gate = undefined;
  }

  /** Resolves once at least `count` records were received. */
  waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  writer(): SinkWriter<unknown> {
    let subtask = 0;
    let open: unknown[] = [];
    const keys: { checkpointId: number; key: string }[] = [];
    const commitKey = (key: string): void => {
      const records = this.prepared.get(key);
      if (records === undefined) return;
      this.prepared.delete(key);
      this.committed.push(...records);
    };
    return {
      recover: (prepared) => {
        for (const ref of prepared) commitKey((ref as PreparedRef).key);
      },
      open: async (ctx) => {
        subtask = ctx.subtaskIndex;
      },
      write: (batch: Batch<unknown>) => {
        open.push(...batch.values);
        this.received.push(...batch.values);
        this.waiters = this.waiters.filter((waiter) => {
          if (this.received.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
        return this.gate?.promise;
      },
      prepareCommit: async (checkpointId) => {
        const key = `${subtask}:${checkpointId}:${Math.random().toString(36).slice(2)}`;
        this.prepared.set(key, open);
        open = [];
        keys.push({ checkpointId, key });
        this.prepares.push({ checkpointId, subtask, receivedBefore: [...this.received] });
        return { key } satisfies PreparedRef;
      },
      commit: async (checkpointId, positions) => {
        if (this.failCommits) throw new Error(`commit of checkpoint ${checkpointId} refused`);
        this.commits.push({ checkpointId, subtask, positions });
        while (keys.length > 0 && keys[0].checkpointId <= checkpointId) commitKey(keys.shift()!.key);
      },
      flush: async () => {
        for (const { key } of keys.splice(0)) commitKey(key);
        this.committed.push(...open);
        open = [];
      },
      close: async () => {
        // Whatever is still open is aborted, like a transaction of a producer that goes away.
        open = [];
      },
    };
  }
}
