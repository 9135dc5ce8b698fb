import type { Logger } from '../common/logging.ts';
import type { GroupCoordinator } from './groups/coordinator.ts';
import type { Producers } from './producers/producers.ts';
import type { Durability } from './storage/log-config.ts';
import type { TopicStore } from './topics/topic-store.ts';
import type { TransactionCoordinator } from './transactions/coordinator.ts';

/** Settings of a running broker, after defaults are applied. */
export interface BrokerConfig {
  readonly dataDir: string;
  readonly durability: Durability;
  /** Partitions of a topic created without a count (Kafka's `num.partitions`). */
  readonly defaultPartitions: number;
  /** Whether Metadata and Produce create unknown topics (Kafka's `auto.create.topics.enable`). */
  readonly autoCreateTopics: boolean;
  /** Largest request frame accepted; larger ones close the connection (`socket.request.max.bytes`). */
  readonly maxRequestBytes: number;
}

/** Everything a handler may use. One per broker; handlers never keep state of their own. */
export interface BrokerState {
  readonly nodeId: number;
  readonly clusterId: string;
  /** Host and port clients are told to connect to (Metadata, FindCoordinator). */
  readonly advertised: { readonly host: string; readonly port: number };
  readonly config: BrokerConfig;
  /** The ApiVersions answer, derived from the handler registry. */
  readonly supportedApis: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
  readonly log: Logger;
  readonly topics: TopicStore;
  readonly groups: GroupCoordinator;
  /** Producer ids, transactional ids and per-partition producer state (idempotence). */
  readonly producers: Producers;
  /** The transaction coordinator (AddPartitionsToTxn, EndTxn, ...; the Produce check of transactional batches). */
  readonly transactions: TransactionCoordinator;
}
