// The producer state of every partition of the broker: loaded for all existing partitions when the broker
// opens (from snapshots plus a replay of the log after them), created empty for partitions made later,
// snapshotted at segment rolls and at close, and expired by time.

import type { Logger } from '../../common/logging.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import { SerialQueue } from '../storage/serial-queue.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import { appendAbortedTxns, syncAbortedTxns, writeAbortedTxns } from '../transactions/aborted-index-file.ts';
import type { FetchAbortedTxn } from '../transactions/partition-txns.ts';
import { writeSnapshot } from './producer-snapshot.ts';
import { type ProducerSnapshot, ProducerStateManager } from './producer-state-manager.ts';
import { rebuildProducerState } from './rebuild.ts';

interface Tracked {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  readonly log: PartitionLog;
  readonly state: ProducerStateManager;
  /** Snapshot writes of this partition, one at a time. */
  readonly writes: SerialQueue;
  /** Offset of the last snapshot written or loaded, to skip rewriting an unchanged one at close. */
  snapshotOffset: number;
}

/**
 * Producer state by partition log. A partition's state is keyed by its PartitionLog object, so a topic
 * deleted and created again under the same name starts empty.
 *
 * Rule for every writer of a partition log: append through a guard of this partition's state (or call
 * `record`), otherwise the state no longer describes the log and retries may be missed.
 *
 * @example
 * const states = await ProducerStates.open(topics, log);
 * const state = states.forPartition('orders', 0, topics.partition('orders', 0)!);
 */
export class ProducerStates {
  private readonly topics: TopicStore;
  private readonly log: Logger;
  private readonly byLog = new Map<PartitionLog, Tracked>();

  private constructor(topics: TopicStore, log: Logger) {
    this.topics = topics;
    this.log = log;
  }

  /** Loads the state of every partition of `topics`. Call before the broker accepts requests. */
  static async open(topics: TopicStore, log: Logger, nowMs = Date.now()): Promise<ProducerStates> {
    const states = new ProducerStates(topics, log);
    const started = performance.now();
    let replayed = 0;
    for (const info of topics.list()) {
      await Promise.all(
        Array.from({ length: info.partitions }, async (_, p) => {
          const partitionLog = topics.partition(info.name, p);
          if (partitionLog === undefined) return;
          const tracked = states.track(info.name, p, info.topicId, partitionLog);
          const report = await rebuildProducerState(tracked.state, partitionLog, info.topicId, nowMs);
          replayed += report.batchesReplayed;
          if (report.batchesReplayed === 0) tracked.snapshotOffset = report.snapshotOffset ?? 0;
        }),
      );
    }
    if (states.byLog.size > 0) {
      log.info(
        {
          partitions: states.byLog.size,
          batchesReplayed: replayed,
          ms: Math.round(performance.now() - started),
        },
        'producer state loaded',
      );
    }
    return states;
  }

  /**
   * The state of a partition. A log this registry has not seen was created after open() and is empty,
   * so its state starts empty too.
   */
  forPartition(topic: string, partition: number, log: PartitionLog): ProducerStateManager {
    const tracked = this.byLog.get(log);
    if (tracked !== undefined) return tracked.state;
    const topicId = this.topics.get(topic)?.topicId ?? '';
    const created = this.track(topic, partition, topicId, log);
    created.snapshotOffset = 0; // an empty log needs no snapshot
    return created.state;
  }

  /**
   * The last stable offset of a partition (read_committed readers stop there): the first offset of its
   * oldest open transaction, else the high watermark.
   */
  lastStableOffset(topic: string, partition: number, log: PartitionLog): number {
    return this.forPartition(topic, partition, log).txns.lastStableOffset(log.highWatermark);
  }

  /** Aborted transactions of a partition meeting [from, to), as a read_committed Fetch lists them. */
  abortedTransactions(
    topic: string,
    partition: number,
    log: PartitionLog,
    from: number,
    to: number,
  ): FetchAbortedTxn[] {
    return this.forPartition(topic, partition, log)
      .txns.abortedTransactions(from, to)
      .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
  }

  /** Drops producers idle for `expirationMs` on every partition, and forgets deleted partitions. */
  expire(nowMs: number, expirationMs: number): number {
    let dropped = 0;
    for (const tracked of [...this.byLog.values()]) {
      if (!this.isLive(tracked)) this.byLog.delete(tracked.log);
      else dropped += tracked.state.expire(nowMs, expirationMs);
    }
    return dropped;
  }

  /**
   * Writes a snapshot of every live partition that changed since its last one (at close, so a restart
   * replays nothing). Empty states are written too: they spare the restart a replay of the whole log.
   */
  async snapshotAll(): Promise<void> {
    await Promise.all(
      [...this.byLog.values()].map(async (tracked) => {
        const changed = tracked.state.mapEndOffset !== tracked.snapshotOffset;
        if (changed && this.isLive(tracked)) await this.write(tracked, tracked.state.snapshot());
      }),
    );
  }

  private track(topic: string, partition: number, topicId: string, log: PartitionLog): Tracked {
    const tracked: Tracked = {
      topic,
      partition,
      topicId,
      log,
      state: new ProducerStateManager(),
      writes: new SerialQueue(),
      snapshotOffset: -1,
    };
    tracked.state.onRoll = (snapshot) => {
      void this.write(tracked, snapshot);
    };
    // Appended in marker order on the snapshot queue, so a snapshot never gets ahead of the index file.
    tracked.state.txns.onAborted = (txn) => {
      tracked.writes
        .run(() => appendAbortedTxns(log.dir, [txn]))
        .catch((error: unknown) => {
          if (this.isLive(tracked))
            this.log.warn({ err: error, topic, partition }, 'aborted-transaction index append failed');
        });
    };
    this.byLog.set(log, tracked);
    return tracked;
  }

  private isLive(tracked: Tracked): boolean {
    return this.topics.partition(tracked.topic, tracked.partition) === tracked.log;
  }

  /**
   * Snapshot writes never fail an append: a missing snapshot only means a longer replay at restart. The
   * aborted index is made durable first (entries below the snapshot offset are trusted at load), and
   * entries below the log start are pruned from it on the way.
   */
  private write(tracked: Tracked, snapshot: ProducerSnapshot): Promise<void> {
    tracked.snapshotOffset = snapshot.offset;
    const txns = tracked.state.txns;
    // Captured now: index appends queued after this point are not in the rewritten file and follow it.
    const pruned = txns.pruneAborted(tracked.log.logStartOffset) ? [...txns.abortedList()] : null;
    return tracked.writes
      .run(async () => {
        if (pruned !== null) await writeAbortedTxns(tracked.log.dir, pruned);
        else await syncAbortedTxns(tracked.log.dir);
        await writeSnapshot(tracked.log.dir, tracked.topicId, snapshot);
      })
      .catch((error: unknown) => {
        if (!this.isLive(tracked)) return; // the topic was deleted meanwhile
        this.log.warn(
          { err: error, topic: tracked.topic, partition: tracked.partition, offset: snapshot.offset },
          'producer state snapshot failed',
        );
      });
  }
}
