// Owns every partition log of a data directory: topics are created and deleted here, and all logs are
// opened (and recovered) when the broker starts.
//
// Layout: `<dataDir>/<topic>-<partition>/` per partition (segments + checkpoint.json) and
// `<dataDir>/topics/<topic>.json` per topic.

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StreamError } from '../../common/errors.ts';
import type { Crc32c } from './batch-frame.ts';
import { syncDir } from './file-io.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig, logConfigFromOverrides } from './log-config.ts';
import { PartitionLog } from './partition-log.ts';
import { SerialQueue } from './serial-queue.ts';
import {
  readTopicFiles,
  removeTopicFile,
  type TopicMetadata,
  validateTopicName,
  writeTopicFile,
} from './topic-metadata.ts';

export type { TopicMetadata } from './topic-metadata.ts';

/** How to open a data directory. */
export interface LogManagerOptions {
  dataDir: string;
  /** CRC-32C for recovery (wire in the protocol layer's implementation). */
  crc32c: Crc32c;
  /** Broker-wide defaults (Kafka's `log.*` settings); topic overrides apply on top. */
  defaults?: Partial<LogConfig>;
  clock?: () => number;
}

interface Topic {
  meta: TopicMetadata;
  logs: PartitionLog[];
}

/** Most partitions one topic may have; a guard against typos such as 1000000. */
const MAX_PARTITIONS = 10_000;
const PARTITION_DIR = /^(.+)-(\d+)$/;

/**
 * All topics and partition logs of one data directory.
 *
 * @example
 * const logs = await LogManager.open({ dataDir: '/var/lib/eddy', crc32c });
 * await logs.createTopic('orders', 3, { 'retention.ms': '86400000' });
 * await logs.getLog('orders', 0)?.append(batch);
 */
export class LogManager {
  readonly dataDir: string;
  /** Broker-wide log config before topic overrides. */
  readonly defaults: Readonly<LogConfig>;
  private readonly crc32c: Crc32c;
  private readonly clock: (() => number) | undefined;
  private readonly topics = new Map<string, Topic>();
  private readonly queue = new SerialQueue();
  private closed = false;

  private constructor(options: LogManagerOptions) {
    this.dataDir = options.dataDir;
    this.defaults = { ...DEFAULT_LOG_CONFIG, ...options.defaults };
    this.crc32c = options.crc32c;
    this.clock = options.clock;
  }

  /** Opens every topic of the data directory (recovering logs as needed) and removes leftovers. */
  static async open(options: LogManagerOptions): Promise<LogManager> {
    const manager = new LogManager(options);
    await mkdir(options.dataDir, { recursive: true });
    for (const meta of await readTopicFiles(options.dataDir)) {
      const logs = await Promise.all(
        Array.from({ length: meta.partitions }, (_, p) => manager.openLog(meta, p)),
      );
      manager.topics.set(meta.name, { meta, logs });
    }
    await manager.removeLeftovers();
    return manager;
  }

  /** Every topic, sorted by name. */
  listTopics(): TopicMetadata[] {
    return [...this.topics.values()].map((t) => t.meta).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** One topic's metadata, or undefined. */
  getTopic(name: string): TopicMetadata | undefined {
    return this.topics.get(name)?.meta;
  }

  /** The log of one partition, or undefined if the topic or partition does not exist. */
  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.logs[partition];
  }

  /** The effective log config of a topic (defaults plus its overrides). */
  configOf(name: string): LogConfig | undefined {
    const topic = this.topics.get(name);
    return topic === undefined ? undefined : logConfigFromOverrides(this.defaults, topic.meta.configs);
  }

  /**
   * Creates a topic with `partitions` empty logs. Throws BRK_TOPIC_EXISTS, BRK_TOPIC_INVALID (name or
   * partition count) or CFG_INVALID_VALUE (a storage config override that does not parse).
   */
  createTopic(
    name: string,
    partitions: number,
    configs: Record<string, string> = {},
  ): Promise<TopicMetadata> {
    return this.queue.run(async () => {
      this.checkOpen();
      validateTopicName(name);
      if (this.topics.has(name)) {
        throw new StreamError('BRK_TOPIC_EXISTS', `topic "${name}" already exists`, {
          details: { topic: name },
        });
      }
      if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
        throw new StreamError(
          'BRK_TOPIC_INVALID',
          `topic "${name}" needs 1 to ${MAX_PARTITIONS} partitions, not ${partitions}`,
        );
      }
      logConfigFromOverrides(this.defaults, configs); // validate before touching the disk
      const meta: TopicMetadata = { name, topicId: randomUUID(), partitions, configs: { ...configs } };
      const logs: PartitionLog[] = [];
      try {
        for (let p = 0; p < partitions; p++) {
          await rm(this.partitionDir(name, p), { recursive: true, force: true });
          logs.push(await this.openLog(meta, p));
        }
        await syncDir(this.dataDir);
        await writeTopicFile(this.dataDir, meta); // the commit point
      } catch (error) {
        await Promise.allSettled(logs.map((log) => log.close()));
        await Promise.allSettled(
          logs.map((_, p) => rm(this.partitionDir(name, p), { recursive: true, force: true })),
        );
        throw error;
      }
      this.topics.set(name, { meta, logs });
      return meta;
    });
  }

  /** Deletes a topic and its data. Throws BRK_TOPIC_NOT_FOUND. */
  deleteTopic(name: string): Promise<void> {
    return this.queue.run(async () => {
      this.checkOpen();
      const topic = this.topics.get(name);
      if (topic === undefined) {
        throw new StreamError('BRK_TOPIC_NOT_FOUND', `topic "${name}" does not exist`, {
          details: { topic: name },
        });
      }
      this.topics.delete(name);
      await Promise.allSettled(topic.logs.map((log) => log.close()));
      await removeTopicFile(this.dataDir, name); // the commit point; leftover directories go on next open
      for (let p = 0; p < topic.meta.partitions; p++) {
        await rm(this.partitionDir(name, p), { recursive: true, force: true });
      }
    });
  }

  /**
   * Raises a topic's partition count to `total` with new empty logs (Kafka's CreatePartitions; counts
   * never shrink). Throws BRK_TOPIC_NOT_FOUND, or BRK_TOPIC_INVALID when `total` is not larger.
   */
  addPartitions(name: string, total: number): Promise<TopicMetadata> {
    return this.queue.run(async () => {
      this.checkOpen();
      const topic = this.topics.get(name);
      if (topic === undefined) {
        throw new StreamError('BRK_TOPIC_NOT_FOUND', `topic "${name}" does not exist`, {
          details: { topic: name },
        });
      }
      const from = topic.meta.partitions;
      if (!Number.isSafeInteger(total) || total <= from || total > MAX_PARTITIONS) {
        throw new StreamError(
          'BRK_TOPIC_INVALID',
          `topic "${name}" has ${from} partitions; give a larger count, at most ${MAX_PARTITIONS}, not ${total}`,
        );
      }
      const meta = { ...topic.meta, partitions: total };
      const added: PartitionLog[] = [];
      try {
        for (let p = from; p < total; p++) {
          await rm(this.partitionDir(name, p), { recursive: true, force: true });
          added.push(await this.openLog(meta, p));
        }
        await syncDir(this.dataDir);
        await writeTopicFile(this.dataDir, meta); // the commit point; without it open removes the new dirs
      } catch (error) {
        await Promise.allSettled(added.map((log) => log.close()));
        await Promise.allSettled(
          added.map((_, i) => rm(this.partitionDir(name, from + i), { recursive: true, force: true })),
        );
        throw error;
      }
      topic.meta = meta;
      topic.logs.push(...added);
      return meta;
    });
  }

  /** Replaces a topic's config overrides and applies them to its open logs. */
  setTopicConfig(name: string, configs: Record<string, string>): Promise<TopicMetadata> {
    return this.queue.run(async () => {
      this.checkOpen();
      const topic = this.topics.get(name);
      if (topic === undefined) {
        throw new StreamError('BRK_TOPIC_NOT_FOUND', `topic "${name}" does not exist`, {
          details: { topic: name },
        });
      }
      const config = logConfigFromOverrides(this.defaults, configs);
      const meta = { ...topic.meta, configs: { ...configs } };
      await writeTopicFile(this.dataDir, meta);
      topic.meta = meta;
      for (const log of topic.logs) log.updateConfig(config);
      return meta;
    });
  }

  /** Runs retention on every log; returns the number of segments deleted. */
  async applyRetention(): Promise<number> {
    let deleted = 0;
    for (const topic of [...this.topics.values()]) {
      for (const log of topic.logs) deleted += await log.applyRetention();
    }
    return deleted;
  }

  /** Rewrites every log's checkpoint (call periodically to bound recovery work). */
  async checkpointAll(): Promise<void> {
    for (const topic of [...this.topics.values()])
      await Promise.all(topic.logs.map((log) => log.checkpoint()));
  }

  /**
   * Closes every log cleanly so the next open skips recovery. Topic changes queued behind the close
   * throw BRK_STORAGE_CLOSED: with the topic table cleared, a late create would otherwise see an
   * existing topic as new and wipe its data.
   */
  close(): Promise<void> {
    return this.queue.run(async () => {
      this.closed = true;
      for (const topic of this.topics.values()) await Promise.all(topic.logs.map((log) => log.close()));
      this.topics.clear();
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new StreamError('BRK_STORAGE_CLOSED', `the logs in ${this.dataDir} are closed`);
  }

  private partitionDir(topic: string, partition: number): string {
    return join(this.dataDir, `${topic}-${partition}`);
  }

  private openLog(meta: TopicMetadata, partition: number): Promise<PartitionLog> {
    return PartitionLog.open(this.partitionDir(meta.name, partition), {
      config: logConfigFromOverrides(this.defaults, meta.configs),
      crc32c: this.crc32c,
      ...(this.clock === undefined ? {} : { clock: this.clock }),
    });
  }

  /** Deletes partition directories that belong to no topic (a crash during create or delete). */
  private async removeLeftovers(): Promise<void> {
    for (const entry of await readdir(this.dataDir, { withFileTypes: true })) {
      const m = entry.isDirectory() ? PARTITION_DIR.exec(entry.name) : null;
      if (m === null || String(Number(m[2])) !== m[2]) continue;
      const topic = this.topics.get(m[1]);
      if (topic === undefined || Number(m[2]) >= topic.meta.partitions) {
        await rm(join(this.dataDir, entry.name), { recursive: true, force: true });
      }
    }
  }
}
