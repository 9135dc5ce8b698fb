// The parsed topic configs the produce and fetch paths act on, built once per topic (configs change only
// through the TopicStore, which rebuilds them).

import type { Durability } from '../storage/log-config.ts';
import { TOPIC_CONFIGS } from './topic-configs.ts';

/** Codec ids of RecordBatch attributes, by Kafka's `compression.type` names. */
const CODEC_BY_NAME: Record<string, number> = { uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** What a topic's configs mean for appends. */
export interface TopicSettings {
  /** `max.message.bytes`: largest batch accepted (whole batch, log overhead included). */
  maxMessageBytes: number;
  /** `message.timestamp.type` is LogAppendTime: the broker stamps batches with its clock. */
  logAppendTime: boolean;
  /** Oldest accepted CreateTime is `now - timestampBeforeMaxMs` (Infinity: no limit). */
  timestampBeforeMaxMs: number;
  /** Newest accepted CreateTime is `now + timestampAfterMaxMs` (Infinity: no limit). */
  timestampAfterMaxMs: number;
  /** Codec batches are stored with, or null to keep the producer's (`compression.type=producer`). */
  compressionCodec: number | null;
  /** `cleanup.policy` includes compact: records need keys. */
  compacted: boolean;
  /** `min.insync.replicas`: acks=all fails with NOT_ENOUGH_REPLICAS above 1 (a single node is one replica). */
  minInsyncReplicas: number;
  /** `segment.bytes`: a produce request bigger than a segment is refused (RECORD_LIST_TOO_LARGE). */
  segmentBytes: number;
}

/** Default value of every topic config for a broker in `durability` mode. */
export function topicDefaults(durability: Durability): Map<string, string> {
  const defaults = new Map(TOPIC_CONFIGS.map((def) => [def.name, def.defaultValue]));
  defaults.set('eddy.durability', durability);
  return defaults;
}

/** Kafka's Long.MAX_VALUE and other values past 2^53 mean "no limit". */
function asLimit(value: string): number {
  const n = Number(value);
  return n >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : n;
}

/**
 * Parses the effective settings of a topic from its overrides on top of the defaults. Overrides are
 * assumed valid (checked when stored).
 */
export function topicSettings(
  defaults: ReadonlyMap<string, string>,
  overrides: Record<string, string>,
): TopicSettings {
  const get = (name: string): string => overrides[name] ?? defaults.get(name) ?? '';
  const difference = overrides['message.timestamp.difference.max.ms'];
  // KIP-937: the old difference limit still applies to whichever side has no explicit setting.
  const before =
    overrides['message.timestamp.before.max.ms'] ?? difference ?? get('message.timestamp.before.max.ms');
  const after =
    overrides['message.timestamp.after.max.ms'] ?? difference ?? get('message.timestamp.after.max.ms');
  const compression = get('compression.type');
  const codec = compression === 'producer' ? null : (CODEC_BY_NAME[compression] ?? null);
  return {
    maxMessageBytes: Number(get('max.message.bytes')),
    logAppendTime: get('message.timestamp.type') === 'LogAppendTime',
    timestampBeforeMaxMs: asLimit(before),
    timestampAfterMaxMs: asLimit(after),
    compressionCodec: codec,
    compacted: get('cleanup.policy')
      .split(',')
      .map((s) => s.trim())
      .includes('compact'),
    minInsyncReplicas: Number(get('min.insync.replicas')),
    segmentBytes: Number(get('segment.bytes')),
  };
}
