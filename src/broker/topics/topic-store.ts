// Topics as the Kafka APIs see them: names, ids, partition counts and Kafka-named configs, on top of the
// storage LogManager. Client mistakes come back as Kafka error codes (response data), never as throws.

import { isStreamError } from '../../common/errors.ts';
import type { Logger } from '../../common/logging.ts';
import { crc32c } from '../../protocol/record-batch/crc32c.ts';
import { type CompactionRunOptions, Compactor, type PartitionCleanReport } from '../compaction/compactor.ts';
import { KafkaError } from '../error-codes.ts';
import type { Durability } from '../storage/log-config.ts';
import { LogManager, type TopicMetadata } from '../storage/log-manager.ts';
import type { AppendGuard, AppendResult, PartitionLog, StagedAppend } from '../storage/partition-log.ts';
import { AppendWaiters, partitionKey } from './append-waiters.ts';
import {
  type BrokerDefault,
  type BrokerFacts,
  brokerConfigEntries,
  type ConfigEntry,
  topicConfigEntries,
} from './config-view.ts';
import { Periodic } from './periodic.ts';
import { type TopicInfo, topicInfo } from './topic-info.ts';
import {
  checkTopicConfigs,
  checkTopicName,
  type Failure,
  isFailure,
  storageOverrides,
} from './topic-rules.ts';
import { type TopicSettings, topicDefaults, topicSettings } from './topic-settings.ts';

export { type TopicInfo, uuidBytes } from './topic-info.ts';

/** What TopicStore.open needs; the broker passes its config plus its logger. */
export interface TopicStoreOptions {
  dataDir: string;
  durability: Durability;
  /** Partitions of topics created without a count (Kafka's `num.partitions`). */
  defaultPartitions: number;
  autoCreateTopics: boolean;
  maxRequestBytes: number;
  log: Logger;
  /** How often retention runs (Kafka's `log.retention.check.interval.ms`, 5 minutes). */
  retentionCheckIntervalMs?: number;
  /** How often log checkpoints are rewritten, bounding recovery work after a crash (60 s). */
  checkpointIntervalMs?: number;
  /** How often compacted topics are checked for cleaning (Kafka's `log.cleaner.backoff.ms`, 15 s). */
  compactionCheckIntervalMs?: number;
}

/** A topic change that reached storage after close() began: retriable, and nothing was changed. */
const SHUTTING_DOWN: Failure = {
  errorCode: KafkaError.REQUEST_TIMED_OUT,
  errorMessage: 'The broker is shutting down; retry on a running broker.',
};

/** Result of a create: the topic, or a Kafka error code with a message. */
export type CreateOutcome = { topic: TopicInfo } | Failure;

/**
 * Every topic of the broker, the logs behind them, and a way for fetches to wait for appends.
 *
 * @example
 * const topics = await TopicStore.open({ dataDir, durability: 'fsync', defaultPartitions: 1,
 *   autoCreateTopics: true, maxRequestBytes: 100 << 20, log });
 * const created = await topics.createTopic('orders', { partitions: 3 });
 */
export class TopicStore {
  readonly defaultPartitions: number;
  readonly autoCreateTopics: boolean;
  private readonly logs: LogManager;
  private readonly log: Logger;
  private readonly defaults: Map<string, string>;
  private readonly brokerDefaults: Map<string, BrokerDefault>;
  private readonly infos = new Map<string, TopicInfo>();
  private readonly settingsCache = new Map<string, TopicSettings>();
  private readonly waiters = new AppendWaiters();
  private readonly upkeep: Periodic;
  /** The log cleaner of compacted topics; its `transactionView` is the seam for transaction state. */
  readonly compaction: Compactor;
  private closed = false;

  private constructor(options: TopicStoreOptions, logs: LogManager) {
    this.defaultPartitions = options.defaultPartitions;
    this.autoCreateTopics = options.autoCreateTopics;
    this.logs = logs;
    this.log = options.log;
    this.upkeep = new Periodic(options.log);
    this.compaction = new Compactor({
      logs,
      log: options.log,
      configsOf: (name) => this.effectiveConfigs(name),
    });
    this.defaults = topicDefaults(options.durability);
    this.brokerDefaults = new Map(
      [...this.defaults].map(([name, value]) => [
        name,
        { value, configured: name === 'eddy.durability' && options.durability !== 'fsync' },
      ]),
    );
    for (const meta of logs.listTopics()) this.remember(meta);
  }

  /** Opens (and recovers) every topic in the data directory and starts retention and checkpoint timers. */
  static async open(options: TopicStoreOptions): Promise<TopicStore> {
    const logs = await LogManager.open({
      dataDir: options.dataDir,
      crc32c,
      defaults: { durability: options.durability },
    });
    const store = new TopicStore(options, logs);
    store.upkeep.every(options.retentionCheckIntervalMs ?? 300_000, 'retention', async () => {
      const deleted = await logs.applyRetention();
      if (deleted > 0) store.log.info({ segments: deleted }, 'retention deleted segments');
    });
    store.upkeep.every(options.checkpointIntervalMs ?? 60_000, 'checkpoint', () => logs.checkpointAll());
    store.upkeep.every(options.compactionCheckIntervalMs ?? 15_000, 'compaction', async () => {
      await store.compaction.run();
    });
    return store;
  }

  /** Every topic, sorted by name. */
  list(): TopicInfo[] {
    return [...this.infos.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** A topic by name. */
  get(name: string): TopicInfo | undefined {
    return this.infos.get(name);
  }

  /** A topic by its 16-byte id. */
  getById(id: Buffer): TopicInfo | undefined {
    for (const info of this.infos.values()) if (info.topicIdBytes.equals(id)) return info;
    return undefined;
  }

  /** The log of a partition, or undefined when the topic or partition does not exist. */
  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.getLog(topic, partition);
  }

  /** The parsed configs of a topic. */
  settings(name: string): TopicSettings | undefined {
    let settings = this.settingsCache.get(name);
    const info = this.infos.get(name);
    if (settings === undefined && info !== undefined) {
      settings = topicSettings(this.defaults, info.configs);
      this.settingsCache.set(name, settings);
    }
    return settings;
  }

  /**
   * Creates a topic. `partitions` undefined or -1 means the broker default; configs are Kafka topic
   * configs, checked as Kafka does. With `validateOnly` nothing is created, but the answer is the same.
   */
  async createTopic(
    name: string,
    options: { partitions?: number; configs?: Record<string, string | null>; validateOnly?: boolean } = {},
  ): Promise<CreateOutcome> {
    const partitions =
      options.partitions === undefined || options.partitions === -1
        ? this.defaultPartitions
        : options.partitions;
    const problem = checkTopicName(name, this.infos.keys()) ?? this.checkPartitions(partitions);
    if (problem !== null) return problem;
    const checked = checkTopicConfigs(options.configs ?? {});
    if (isFailure(checked)) return checked;
    const configs = checked;
    if (options.validateOnly) {
      // What the topic would look like; the nil id says it was not created.
      return {
        topic: topicInfo({ name, topicId: '00000000-0000-0000-0000-000000000000', partitions, configs }),
      };
    }
    try {
      const meta = await this.logs.createTopic(name, partitions, storageOverrides(configs));
      this.log.info({ topic: name, partitions }, 'topic created');
      return { topic: this.remember(meta) };
    } catch (error) {
      if (isStreamError(error, 'BRK_TOPIC_EXISTS')) {
        return {
          errorCode: KafkaError.TOPIC_ALREADY_EXISTS,
          errorMessage: `Topic '${name}' already exists.`,
        };
      }
      if (isStreamError(error, 'BRK_STORAGE_CLOSED')) return SHUTTING_DOWN;
      throw error;
    }
  }

  /**
   * The topic, creating it with the default partition count when it is missing and `allowCreate` (and the
   * broker's auto-create setting) permit. Concurrent calls for the same name create it once.
   */
  async ensureTopic(name: string, allowCreate = true): Promise<{ topic: TopicInfo } | Failure> {
    const existing = this.infos.get(name);
    if (existing !== undefined) return { topic: existing };
    const invalid = checkTopicName(name, []);
    if (invalid !== null) return invalid;
    if (!allowCreate || !this.autoCreateTopics) {
      return {
        errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `Topic '${name}' does not exist.`,
      };
    }
    const created = await this.createTopic(name);
    if ('errorCode' in created && created.errorCode === KafkaError.TOPIC_ALREADY_EXISTS) {
      const raced = this.infos.get(name);
      if (raced !== undefined) return { topic: raced };
    }
    return created;
  }

  /** Deletes a topic and its data; UNKNOWN_TOPIC_OR_PARTITION when there is none. */
  async deleteTopic(name: string): Promise<Failure | null> {
    const info = this.infos.get(name);
    if (info === undefined) {
      return {
        errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `Topic '${name}' does not exist.`,
      };
    }
    this.infos.delete(name);
    this.settingsCache.delete(name);
    try {
      await this.logs.deleteTopic(name);
    } catch (error) {
      if (isStreamError(error, 'BRK_STORAGE_CLOSED')) return SHUTTING_DOWN;
      if (!isStreamError(error, 'BRK_TOPIC_NOT_FOUND')) throw error;
    }
    // Long polls on the topic wake up and answer UNKNOWN_TOPIC_OR_PARTITION.
    for (let p = 0; p < info.partitions; p++) this.waiters.notify(partitionKey(name, p));
    this.log.info({ topic: name }, 'topic deleted');
    return null;
  }

  /**
   * Raises a topic's partition count to `total` (Kafka's CreatePartitions, served by handler 37).
   * Counts never shrink. With `validateOnly` every check runs and nothing changes.
   *
   * @example
   * await topics.addPartitions('orders', 6); // { topic } with partitions 6, or a Kafka error code
   */
  async addPartitions(
    name: string,
    total: number,
    options: { validateOnly?: boolean } = {},
  ): Promise<CreateOutcome> {
    const unknown: Failure = {
      errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
      errorMessage: `Topic '${name}' does not exist.`,
    };
    const info = this.infos.get(name);
    if (info === undefined) return unknown;
    const problem = this.checkPartitions(total);
    if (problem !== null) return problem;
    if (total <= info.partitions) {
      return {
        errorCode: KafkaError.INVALID_PARTITIONS,
        errorMessage: `Topic currently has ${info.partitions} partitions, which is higher than or equal to the requested ${total}.`,
      };
    }
    if (options.validateOnly) return { topic: { ...info, partitions: total } };
    try {
      const meta = await this.logs.addPartitions(name, total);
      // Deleted while the logs were being added: remembering it would bring a deleted topic back.
      if (!this.infos.has(name)) return unknown;
      this.log.info({ topic: name, partitions: total }, 'partitions added');
      return { topic: this.remember(meta) };
    } catch (error) {
      if (isStreamError(error, 'BRK_STORAGE_CLOSED')) return SHUTTING_DOWN;
      // A concurrent request deleted or grew the topic after the checks above.
      if (isStreamError(error, 'BRK_TOPIC_NOT_FOUND')) return unknown;
      if (isStreamError(error, 'BRK_TOPIC_INVALID')) {
        return { errorCode: KafkaError.INVALID_PARTITIONS, errorMessage: error.message };
      }
      throw error;
    }
  }

  /**
   * Appends batches to a partition (base offsets are rewritten in `batches`), resolving when the log's
   * durability mode is satisfied, then wakes fetches waiting on the partition.
   */
  async append(topic: string, partition: number, log: PartitionLog, batches: Buffer): Promise<AppendResult> {
    const result = await log.append(batches);
    this.waiters.notify(partitionKey(topic, partition));
    return result;
  }

  /**
   * Like append, with a guard that runs under the partition's append lock (producer state: see
   * AppendGuard); null when the guard declined and nothing was written.
   */
  async appendIf(
    topic: string,
    partition: number,
    log: PartitionLog,
    batches: Buffer,
    guard: AppendGuard,
  ): Promise<AppendResult | null> {
    const result = await log.appendIf(batches, guard);
    if (result !== null) this.waiters.notify(partitionKey(topic, partition));
    return result;
  }

  /**
   * Like appendIf, but resolves once the batches are written, with the wait for their flush apart (see
   * PartitionLog.appendStaged); fetches waiting on the partition wake when that wait ends.
   */
  async appendStaged(
    topic: string,
    partition: number,
    log: PartitionLog,
    batches: Buffer,
    guard: AppendGuard,
  ): Promise<StagedAppend | null> {
    const staged = await log.appendStaged(batches, guard);
    if (staged === null) return null;
    const key = partitionKey(topic, partition);
    if (staged.durable === null) this.waiters.notify(key);
    // A failed flush wakes nobody, as a failed append does; the caller sees the rejection.
    else
      staged.durable.then(
        () => this.waiters.notify(key),
        () => undefined,
      );
    return staged;
  }

  /**
   * Resolves true as soon as any of `partitions` gets an append (or is deleted), false after `timeoutMs`
   * or when `signal` aborts. No polling: appends wake the waiter directly.
   */
  waitForAppend(
    partitions: readonly { topic: string; partition: number }[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.waiters.wait(
      partitions.map((p) => partitionKey(p.topic, p.partition)),
      timeoutMs,
      signal,
    );
  }

  /** Every config of a topic with value, source and synonyms; undefined for an unknown topic. */
  describeTopicConfigs(name: string): ConfigEntry[] | undefined {
    const info = this.infos.get(name);
    return info === undefined ? undefined : this.configEntries(info.configs);
  }

  /** Every topic config as a topic with these overrides would have it (CreateTopics v5+ answers). */
  configEntries(overrides: Readonly<Record<string, string>>): ConfigEntry[] {
    return topicConfigEntries(this.brokerDefaults, overrides);
  }

  /** Every config of the broker resource. */
  describeBrokerConfigs(facts: Omit<BrokerFacts, 'defaultPartitions' | 'autoCreateTopics'>): ConfigEntry[] {
    return brokerConfigEntries(
      { ...facts, defaultPartitions: this.defaultPartitions, autoCreateTopics: this.autoCreateTopics },
      this.brokerDefaults,
    );
  }

  /** Stops the timers, wakes every long poll and closes every log cleanly. */
  /**
   * Compacts compacted topics now, by default regardless of min.cleanable.dirty.ratio (`force`); the
   * active segment is never compacted. For tests and admin tools; the timer does the same when due.
   */
  compactNow(options: CompactionRunOptions = {}): Promise<PartitionCleanReport[]> {
    return this.compaction.run({ force: true, ...options });
  }

  /** A topic's configs with defaults filled in, as compaction reads them. */
  private effectiveConfigs(name: string): Record<string, string> | undefined {
    const info = this.infos.get(name);
    return info === undefined ? undefined : { ...Object.fromEntries(this.defaults), ...info.configs };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.notifyAll();
    await this.upkeep.stop();
    await this.compaction.stop();
    await this.logs.close();
  }

  private checkPartitions(partitions: number): Failure | null {
    if (!Number.isInteger(partitions) || partitions < 1) {
      return {
        errorCode: KafkaError.INVALID_PARTITIONS,
        errorMessage: 'Number of partitions must be larger than 0.',
      };
    }
    if (partitions > 10_000) {
      return {
        errorCode: KafkaError.INVALID_PARTITIONS,
        errorMessage: 'Number of partitions must be at most 10000.',
      };
    }
    return null;
  }

  private remember(meta: TopicMetadata): TopicInfo {
    const info = topicInfo(meta);
    this.infos.set(meta.name, info);
    this.settingsCache.delete(meta.name);
    return info;
  }
}
