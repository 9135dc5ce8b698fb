// Storage settings of one partition log, and their mapping from Kafka topic config names.

import { StreamError } from '../../common/errors.ts';

/** When an append counts as done: after fdatasync (`fsync`, group commit) or after write() (`os`). */
export type Durability = 'fsync' | 'os';

/** Storage settings of a partition log (Kafka's topic config, in milliseconds and bytes). */
export interface LogConfig {
  /** `segment.bytes`: roll to a new segment when the active one would grow past this. */
  segmentBytes: number;
  /** `segment.ms`: roll when the active segment's first batch is older than this. */
  segmentMs: number;
  /** `retention.ms`: delete whole segments whose newest timestamp is older; -1 keeps forever. */
  retentionMs: number;
  /** `retention.bytes`: delete oldest whole segments while the log is larger; -1 for no limit. */
  retentionBytes: number;
  /** `index.interval.bytes`: bytes of batches between two sparse index entries. */
  indexIntervalBytes: number;
  /** `eddy.durability`: see docs/internals/storage.md for each mode's loss window. */
  durability: Durability;
  /**
   * `cleanup.policy` includes `delete` (the default when absent): retention.ms / retention.bytes apply.
   * A `compact`-only topic keeps its data until compaction removes it.
   */
  cleanupDelete?: boolean;
}

/** Kafka's defaults, except durability, which is eddy's choice (fsync, as for acks=all). */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  durability: 'fsync',
};

/** Segment positions are 4-byte signed ints in the offset index. */
const MAX_SEGMENT_BYTES = 2 ** 31 - 1;

type NumericKey = Exclude<keyof LogConfig, 'durability' | 'cleanupDelete'>;

/** Topic config names (as in CreateTopics / DescribeConfigs) for each numeric setting, with its minimum. */
const NUMERIC_KEYS: Record<string, { key: NumericKey; min: number; max: number }> = {
  'segment.bytes': { key: 'segmentBytes', min: 14, max: MAX_SEGMENT_BYTES },
  'segment.ms': { key: 'segmentMs', min: 1, max: Number.MAX_SAFE_INTEGER },
  'retention.ms': { key: 'retentionMs', min: -1, max: Number.MAX_SAFE_INTEGER },
  'retention.bytes': { key: 'retentionBytes', min: -1, max: Number.MAX_SAFE_INTEGER },
  'index.interval.bytes': { key: 'indexIntervalBytes', min: 0, max: MAX_SEGMENT_BYTES },
};

/** The topic config names this module interprets; other overrides are stored but not used by storage. */
export const STORAGE_CONFIG_NAMES: readonly string[] = [
  ...Object.keys(NUMERIC_KEYS),
  'eddy.durability',
  'cleanup.policy',
];

/**
 * Applies Kafka-named topic overrides to a base config. Throws CFG_INVALID_VALUE for a value that is not
 * an integer in range (or not `fsync`/`os` for `eddy.durability`); unknown names are ignored.
 *
 * @example
 * logConfigFromOverrides(DEFAULT_LOG_CONFIG, { 'retention.ms': '60000' }).retentionMs; // 60000
 */
export function logConfigFromOverrides(
  base: Readonly<LogConfig>,
  overrides: Record<string, string>,
): LogConfig {
  const config: LogConfig = { ...base };
  for (const [name, raw] of Object.entries(overrides)) {
    if (name === 'eddy.durability') {
      if (raw !== 'fsync' && raw !== 'os') {
        throw new StreamError('CFG_INVALID_VALUE', `eddy.durability must be "fsync" or "os", not "${raw}"`);
      }
      config.durability = raw;
      continue;
    }
    if (name === 'cleanup.policy') {
      config.cleanupDelete = raw.split(',').some((policy) => policy.trim() === 'delete');
      continue;
    }
    const spec = NUMERIC_KEYS[name];
    if (spec === undefined) continue;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < spec.min || value > spec.max) {
      throw new StreamError(
        'CFG_INVALID_VALUE',
        `topic config ${name} must be an integer from ${spec.min} to ${spec.max}, not "${raw}"`,
        { details: { name, value: raw } },
      );
    }
    config[spec.key] = value;
  }
  return config;
}
