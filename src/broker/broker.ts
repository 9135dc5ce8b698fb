import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger, type Logger, type LogLevel } from '../common/logging.ts';
import type { BrokerConfig, BrokerState } from './broker-state.ts';
import type { FaultInjector } from './faults/fault-injector.ts';
import type { GroupCoordinatorConfig } from './groups/config.ts';
import { GroupCoordinator } from './groups/coordinator.ts';
import { HANDLERS, supportedApis } from './handlers/registry.ts';
import type { ProducerConfig } from './producers/config.ts';
import { Producers } from './producers/producers.ts';
import { Connection } from './server/connection.ts';
import { createDispatcher } from './server/dispatch.ts';
import { listen } from './server/listener.ts';
import { writeFileAtomic } from './storage/file-io.ts';
import type { Durability } from './storage/log-config.ts';
import { TopicStore } from './topics/topic-store.ts';
import { TransactionCoordinator } from './transactions/coordinator.ts';
import { partitionTxnView } from './transactions/txn-view.ts';

export interface BrokerOptions {
  /** `localhost` (default) listens on both 127.0.0.1 and ::1; any other host binds that address only. */
  host?: string;
  /** 9092 by default; 0 picks a free port (see `BrokerHandle.port`). */
  port?: number;
  /** Where topics, offsets and group state live. Required: the broker is durable. */
  dataDir: string;
  /** `fsync` (default): acknowledge after fdatasync. `os`: after write(), like Kafka's page cache. */
  durability?: Durability;
  /** Partitions of auto-created topics and of topics created without a count. Default 1. */
  defaultPartitions?: number;
  autoCreateTopics?: boolean;
  /** Host put in Metadata answers; defaults to 127.0.0.1 for loopback listeners, else `host`. */
  advertisedHost?: string;
  maxRequestBytes?: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** Group coordinator settings (session timeout bounds, initial rebalance delay, offset retention). */
  groups?: Partial<GroupCoordinatorConfig>;
  /** Producer id expiration and transaction timeout limits (Kafka's names and defaults). */
  producers?: Partial<ProducerConfig>;
  /**
   * Test-only fault injection (dropped, delayed or failed responses, closed connections). Never enabled
   * by anything a client sends; see docs/internals/fault-injection.md.
   */
  faults?: FaultInjector;
}

export interface BrokerHandle {
  readonly host: string;
  readonly port: number;
  /** `host:port` to give clients as bootstrap servers. */
  readonly bootstrap: string;
  /** Every address listened on. */
  readonly addresses: readonly string[];
  readonly state: BrokerState;
  /** Stops listening, closes client connections and flushes storage. */
  close(): Promise<void>;
}

/**
 * Starts eddy's Kafka-compatible broker in this process.
 *
 * @example
 * const broker = await startBroker({ dataDir: './data', port: 0 });
 * console.log(broker.bootstrap); // 127.0.0.1:41234
 * await broker.close();
 */
export async function startBroker(options: BrokerOptions): Promise<BrokerHandle> {
  const host = options.host ?? 'localhost';
  const config: BrokerConfig = {
    dataDir: options.dataDir,
    durability: options.durability ?? 'fsync',
    defaultPartitions: options.defaultPartitions ?? 1,
    autoCreateTopics: options.autoCreateTopics ?? true,
    maxRequestBytes: options.maxRequestBytes ?? 100 * 1024 * 1024,
  };
  const log = options.logger ?? createLogger({ level: options.logLevel ?? 'info', name: 'broker' });
  await mkdir(config.dataDir, { recursive: true });
  const clusterId = await loadClusterId(config.dataDir);
  const topics = await TopicStore.open({ ...config, log });
  const groups = await GroupCoordinator.open({
    dataDir: config.dataDir,
    durability: config.durability,
    log,
    config: options.groups,
  });
  // Before serving: producer state of every partition must describe its log before the first append.
  const producers = await Producers.open({
    dataDir: config.dataDir,
    durability: config.durability,
    topics,
    log,
    config: options.producers,
  });
  const transactions = await TransactionCoordinator.open({ producers, topics, groups, log });
  topics.compaction.transactionView = (topic, partition) =>
    partitionTxnView(topics, producers.states, topic, partition);

  const connections = new Set<Connection>();
  let nextConnectionId = 1;
  let dispatch: ReturnType<typeof createDispatcher> | undefined;
  const listening = await listen(host, options.port ?? 9092, (socket) => {
    if (!dispatch) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, nextConnectionId++, dispatch, config.maxRequestBytes, log);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });

  const advertisedHost = options.advertisedHost ?? (host === 'localhost' ? '127.0.0.1' : host);
  const state: BrokerState = {
    nodeId: 1,
    clusterId,
    advertised: { host: advertisedHost, port: listening.port },
    config,
    supportedApis: supportedApis(HANDLERS),
    log,
    topics,
    groups,
    producers,
    transactions,
  };
  dispatch = createDispatcher(HANDLERS, state, log, options.faults);
  log.info(
    { addresses: listening.addresses, dataDir: config.dataDir, durability: config.durability },
    'broker started',
  );

  let closing: Promise<void> | undefined;
  return {
    host: advertisedHost,
    port: listening.port,
    bootstrap: `${advertisedHost.includes(':') ? `[${advertisedHost}]` : advertisedHost}:${listening.port}`,
    addresses: listening.addresses,
    state,
    close() {
      closing ??= (async () => {
        const stopped = listening.close();
        for (const connection of connections) connection.destroy();
        await stopped;
        await transactions.close();
        await groups.close();
        await producers.close();
        await topics.close();
        log.info('broker stopped');
      })();
      return closing;
    },
  };
}

/** The cluster id is made once per data directory and kept, as Kafka keeps it in meta.properties. */
async function loadClusterId(dataDir: string): Promise<string> {
  const path = join(dataDir, 'cluster.json');
  try {
    const { clusterId } = JSON.parse(await readFile(path, 'utf8')) as { clusterId: string };
    if (typeof clusterId === 'string' && clusterId.length > 0) return clusterId;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const clusterId = randomUUID().replaceAll('-', '').slice(0, 22);
  await writeFileAtomic(path, JSON.stringify({ clusterId }));
  return clusterId;
}
