// The DescribeConfigs (and CreateTopics v5+) view of configs: every config with its value, where the value
// comes from, and its synonyms. Source numbers are Kafka's ConfigSource ids (DescribeConfigsResponse.json).

import { TOPIC_CONFIGS } from './topic-configs.ts';

/** Kafka's ConfigSource ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** One level a config can be set at, highest precedence first in a synonym list. */
export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

/** One config as DescribeConfigs reports it. */
export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** ConfigSource id. */
  source: number;
  isSensitive: boolean;
  /** The levels that set this config, highest precedence first (the entry's own value comes first). */
  synonyms: ConfigSynonym[];
}

/** What a broker-level default is and whether the broker's own settings changed it from Kafka's. */
export interface BrokerDefault {
  value: string;
  /** True when set by the broker's options (STATIC_BROKER_CONFIG), false for Kafka's default. */
  configured: boolean;
}

/**
 * Every topic config of a topic: its override (DYNAMIC_TOPIC_CONFIG) or the broker-level default
 * (DEFAULT_CONFIG, or STATIC_BROKER_CONFIG when the broker's options set it).
 */
export function topicConfigEntries(
  defaults: ReadonlyMap<string, BrokerDefault>,
  overrides: Readonly<Record<string, string>>,
): ConfigEntry[] {
  return TOPIC_CONFIGS.map((def) => {
    const fallback = defaults.get(def.name) ?? { value: def.defaultValue, configured: false };
    const fallbackSource = fallback.configured
      ? ConfigSource.STATIC_BROKER_CONFIG
      : ConfigSource.DEFAULT_CONFIG;
    const synonyms: ConfigSynonym[] = [];
    const override = overrides[def.name];
    if (override !== undefined) {
      synonyms.push({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    }
    synonyms.push({ name: def.synonym ?? def.name, value: fallback.value, source: fallbackSource });
    return {
      name: def.name,
      value: override ?? fallback.value,
      readOnly: false,
      source: override === undefined ? fallbackSource : ConfigSource.DYNAMIC_TOPIC_CONFIG,
      isSensitive: false,
      synonyms,
    };
  });
}

/** The broker facts its config view is made of. */
export interface BrokerFacts {
  nodeId: number;
  dataDir: string;
  listener: string;
  defaultPartitions: number;
  autoCreateTopics: boolean;
  maxRequestBytes: number;
}

/**
 * The broker resource's configs: its own settings plus the broker-level default of every topic config.
 * All are read-only: eddy has no AlterConfigs for brokers.
 */
export function brokerConfigEntries(
  facts: BrokerFacts,
  topicDefaults: ReadonlyMap<string, BrokerDefault>,
): ConfigEntry[] {
  const own: [string, BrokerDefault][] = [
    ['advertised.listeners', { value: facts.listener, configured: true }],
    [
      'auto.create.topics.enable',
      { value: String(facts.autoCreateTopics), configured: !facts.autoCreateTopics },
    ],
    ['broker.id', { value: String(facts.nodeId), configured: true }],
    ['default.replication.factor', { value: '1', configured: false }],
    ['listeners', { value: facts.listener, configured: true }],
    ['log.dirs', { value: facts.dataDir, configured: true }],
    ['node.id', { value: String(facts.nodeId), configured: true }],
    ['num.partitions', { value: String(facts.defaultPartitions), configured: facts.defaultPartitions !== 1 }],
    // A single node: internal topics could not have Kafka's default of 3 replicas.
    ['offsets.topic.replication.factor', { value: '1', configured: true }],
    [
      'socket.request.max.bytes',
      { value: String(facts.maxRequestBytes), configured: facts.maxRequestBytes !== 104857600 },
    ],
    ['transaction.state.log.min.isr', { value: '1', configured: true }],
    ['transaction.state.log.replication.factor', { value: '1', configured: true }],
  ];
  for (const def of TOPIC_CONFIGS) {
    if (def.synonym === undefined) continue;
    own.push([def.synonym, topicDefaults.get(def.name) ?? { value: def.defaultValue, configured: false }]);
  }
  const seen = new Set<string>();
  const entries: ConfigEntry[] = [];
  for (const [name, { value, configured }] of own.sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (seen.has(name)) continue;
    seen.add(name);
    const source = configured ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    entries.push({
      name,
      value,
      readOnly: true,
      source,
      isSensitive: false,
      synonyms: [{ name, value, source }],
    });
  }
  return entries;
}
