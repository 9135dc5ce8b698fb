// The topic configs compaction acts on, parsed once per run from a topic's effective configs (Kafka names,
// defaults already applied by the TopicStore).

/** What the cleaner needs to know about a topic. */
export interface CompactionConfig {
  /** `cleanup.policy` includes `compact`. */
  compact: boolean;
  /** `delete.retention.ms`: how long a tombstone (and an empty transaction's marker) stays after the first clean. */
  deleteRetentionMs: number;
  /** `min.cleanable.dirty.ratio`: clean when dirty bytes / cleanable bytes exceed this. */
  minCleanableDirtyRatio: number;
  /** `min.compaction.lag.ms`: segments holding records younger than this are not cleaned yet. */
  minCompactionLagMs: number;
  /** `max.compaction.lag.ms`: clean regardless of the ratio once the oldest dirty record is this old. */
  maxCompactionLagMs: number;
  /** `segment.bytes`: cleaned segments are merged up to this size. */
  segmentBytes: number;
}

/** Kafka's defaults for the settings above (a topic with no overrides and the default policy `delete`). */
export const DEFAULT_COMPACTION_CONFIG: Readonly<CompactionConfig> = {
  compact: false,
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.POSITIVE_INFINITY,
  segmentBytes: 1024 * 1024 * 1024,
};

/** Values past 2^53 (Kafka's Long.MAX_VALUE for "never") mean no limit. */
function number(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) return fallback;
  return n >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : n;
}

/**
 * Reads the compaction settings from a topic's configs (validated when they were stored).
 *
 * @example compactionConfig({ 'cleanup.policy': 'compact', 'delete.retention.ms': '1000' }).compact; // true
 */
export function compactionConfig(configs: Readonly<Record<string, string>>): CompactionConfig {
  const d = DEFAULT_COMPACTION_CONFIG;
  return {
    compact: (configs['cleanup.policy'] ?? 'delete').split(',').some((p) => p.trim() === 'compact'),
    deleteRetentionMs: number(configs['delete.retention.ms'], d.deleteRetentionMs),
    minCleanableDirtyRatio: number(configs['min.cleanable.dirty.ratio'], d.minCleanableDirtyRatio),
    minCompactionLagMs: number(configs['min.compaction.lag.ms'], d.minCompactionLagMs),
    maxCompactionLagMs: number(configs['max.compaction.lag.ms'], d.maxCompactionLagMs),
    segmentBytes: number(configs['segment.bytes'], d.segmentBytes),
  };
}
