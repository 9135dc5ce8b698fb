// Compaction across the broker: every partition of every topic whose cleanup.policy includes `compact`,
// one partition at a time (Kafka runs one cleaner thread by default), on the TopicStore's timer or on
// demand. Failures are logged per partition and never stop the others.

import { isStreamError } from '../../common/errors.ts';
import type { Logger } from '../../common/logging.ts';
import type { LogManager } from '../storage/log-manager.ts';
import { SerialQueue } from '../storage/serial-queue.ts';
import { compactionConfig } from './compaction-config.ts';
import { type CleanResult, cleanPartition } from './log-cleaner.ts';
import type { PartitionTxnView } from './log-facts.ts';

/** What the compactor works on. */
export interface CompactorOptions {
  logs: LogManager;
  /** A topic's effective configs (defaults plus overrides), or undefined when it is gone. */
  configsOf(topic: string): Readonly<Record<string, string>> | undefined;
  log: Logger;
  clock?: () => number;
  /** Key-map bound per partition clean (see CleanOptions.maxMapKeys). */
  maxMapKeys?: number;
}

/** One partition's clean. */
export interface PartitionCleanReport extends CleanResult {
  topic: string;
  partition: number;
}

/** Choices of one run. */
export interface CompactionRunOptions {
  /** Only this topic. */
  topic?: string;
  /** Ignore min.cleanable.dirty.ratio (lags, open transactions and the active segment still apply). */
  force?: boolean;
  /** Clock override for this run (tests of delete.retention.ms). */
  now?: number;
}

/**
 * Runs the log cleaner over compacted topics.
 *
 * @example
 * const compactor = new Compactor({ logs, configsOf: (t) => configs.get(t), log });
 * const cleaned = await compactor.run({ force: true });
 */
export class Compactor {
  /**
   * Seam for transactions and producer state: what they know about a partition (see PartitionTxnView).
   * Unset, the cleaner derives the same facts from the log.
   */
  transactionView: ((topic: string, partition: number) => PartitionTxnView | undefined) | null = null;
  private readonly options: CompactorOptions;
  private readonly clock: () => number;
  private readonly queue = new SerialQueue();
  private stopped = false;

  constructor(options: CompactorOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  /** Cleans every compacted partition that is due (or all cleanable ones with `force`); one run at a time. */
  run(options: CompactionRunOptions = {}): Promise<PartitionCleanReport[]> {
    return this.queue.run(async () => {
      const reports: PartitionCleanReport[] = [];
      for (const meta of this.options.logs.listTopics()) {
        if (options.topic !== undefined && meta.name !== options.topic) continue;
        const configs = this.options.configsOf(meta.name);
        if (configs === undefined) continue;
        const config = compactionConfig(configs);
        if (!config.compact) continue;
        for (let partition = 0; partition < meta.partitions; partition++) {
          if (this.stopped) return reports;
          const report = await this.cleanOne(meta.name, partition, config, options);
          if (report !== null) reports.push(report);
        }
      }
      return reports;
    });
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.idle();
  }

  private async cleanOne(
    topic: string,
    partition: number,
    config: ReturnType<typeof compactionConfig>,
    options: CompactionRunOptions,
  ): Promise<PartitionCleanReport | null> {
    const log = this.options.logs.getLog(topic, partition);
    if (log === undefined) return null;
    try {
      const result = await cleanPartition(log, config, {
        now: options.now ?? this.clock(),
        force: options.force,
        txns: this.transactionView?.(topic, partition),
        maxMapKeys: this.options.maxMapKeys,
      });
      if (!result.cleaned) return null;
      const { reason, segmentsBefore, segmentsAfter, bytesBefore, bytesAfter, recordsRemoved } = result;
      this.options.log.info(
        { topic, partition, reason, segmentsBefore, segmentsAfter, bytesBefore, bytesAfter, recordsRemoved },
        'compacted partition',
      );
      return { ...result, topic, partition };
    } catch (error) {
      // Deleted topic or retention moving the log start under the clean: nothing to do until next time.
      if (isStreamError(error, 'BRK_STORAGE_CLOSED') || isStreamError(error, 'BRK_LOG_OFFSET_OUT_OF_RANGE'))
        return null;
      if (this.options.configsOf(topic) === undefined) return null; // deleted while being cleaned
      this.options.log.error({ err: error, topic, partition }, 'compaction failed');
      return null;
    }
  }
}
