// Kafka's topic configs: names, defaults, validation and the broker-level synonym of each (the
// `server.properties` name whose value is the topic default). Names, defaults and ranges follow
// LogConfig.java / ServerLogConfigs.java in apache/kafka (4.x); see docs/internals/broker-data-path.md for
// which ones eddy acts on and which are accepted and stored only.

/** How a config's value is typed and checked. */
type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';

/** One topic config. */
export interface TopicConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Kafka's default, as DescribeConfigs shows it (broker-dependent ones are filled in by the store). */
  readonly defaultValue: string;
  readonly min?: number;
  readonly max?: number;
  /** Allowed values (each list element for `list`). */
  readonly oneOf?: readonly string[];
  /** Broker config that sets this topic config's default. */
  readonly synonym?: string;
}

const LONG_MAX = '9223372036854775807';
const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

/** Every topic config eddy knows, sorted by name, as Kafka lists them. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  {
    name: 'cleanup.policy',
    type: 'list',
    defaultValue: 'delete',
    oneOf: ['compact', 'delete'],
    synonym: 'log.cleanup.policy',
  },
  {
    name: 'compression.gzip.level',
    type: 'int',
    defaultValue: '-1',
    min: -1,
    max: 9,
    synonym: 'compression.gzip.level',
  },
  {
    name: 'compression.lz4.level',
    type: 'int',
    defaultValue: '9',
    min: 1,
    max: 17,
    synonym: 'compression.lz4.level',
  },
  {
    name: 'compression.type',
    type: 'string',
    defaultValue: 'producer',
    oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    synonym: 'compression.type',
  },
  {
    name: 'compression.zstd.level',
    type: 'int',
    defaultValue: '3',
    min: -131072,
    max: 22,
    synonym: 'compression.zstd.level',
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    defaultValue: '86400000',
    min: 0,
    synonym: 'log.cleaner.delete.retention.ms',
  },
  // eddy's own: `fsync` acknowledges after fdatasync, `os` after write(); the default is the broker's mode.
  {
    name: 'eddy.durability',
    type: 'string',
    defaultValue: 'fsync',
    oneOf: ['fsync', 'os'],
    synonym: 'eddy.durability',
  },
  {
    name: 'file.delete.delay.ms',
    type: 'long',
    defaultValue: '60000',
    min: 0,
    synonym: 'log.segment.delete.delay.ms',
  },
  {
    name: 'flush.messages',
    type: 'long',
    defaultValue: LONG_MAX,
    min: 1,
    synonym: 'log.flush.interval.messages',
  },
  { name: 'flush.ms', type: 'long', defaultValue: LONG_MAX, min: 0, synonym: 'log.flush.interval.ms' },
  { name: 'follower.replication.throttled.replicas', type: 'list', defaultValue: '' },
  {
    name: 'index.interval.bytes',
    type: 'int',
    defaultValue: '4096',
    min: 0,
    synonym: 'log.index.interval.bytes',
  },
  { name: 'leader.replication.throttled.replicas', type: 'list', defaultValue: '' },
  {
    name: 'local.retention.bytes',
    type: 'long',
    defaultValue: '-2',
    min: -2,
    synonym: 'log.local.retention.bytes',
  },
  {
    name: 'local.retention.ms',
    type: 'long',
    defaultValue: '-2',
    min: -2,
    synonym: 'log.local.retention.ms',
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    defaultValue: LONG_MAX,
    min: 1,
    synonym: 'log.cleaner.max.compaction.lag.ms',
  },
  // 1 MiB plus the 12-byte log overhead, Kafka's MAX_MESSAGE_BYTES_DEFAULT.
  { name: 'max.message.bytes', type: 'int', defaultValue: '1048588', min: 0, synonym: 'message.max.bytes' },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    defaultValue: '3600000',
    min: 0,
    synonym: 'log.message.timestamp.after.max.ms',
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    defaultValue: LONG_MAX,
    min: 0,
    synonym: 'log.message.timestamp.before.max.ms',
  },
  // Deprecated in Kafka 3.6 (KIP-937) and gone in 4.0; kept because older tools still set it.
  {
    name: 'message.timestamp.difference.max.ms',
    type: 'long',
    defaultValue: LONG_MAX,
    min: 0,
    synonym: 'log.message.timestamp.difference.max.ms',
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    defaultValue: 'CreateTime',
    oneOf: ['CreateTime', 'LogAppendTime'],
    synonym: 'log.message.timestamp.type',
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    defaultValue: '0.5',
    min: 0,
    max: 1,
    synonym: 'log.cleaner.min.cleanable.ratio',
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    defaultValue: '0',
    min: 0,
    synonym: 'log.cleaner.min.compaction.lag.ms',
  },
  { name: 'min.insync.replicas', type: 'int', defaultValue: '1', min: 1, synonym: 'min.insync.replicas' },
  { name: 'preallocate', type: 'boolean', defaultValue: 'false', synonym: 'log.preallocate' },
  // Tiered storage does not exist in eddy: only `false` is accepted.
  { name: 'remote.storage.enable', type: 'boolean', defaultValue: 'false', oneOf: ['false'] },
  { name: 'retention.bytes', type: 'long', defaultValue: '-1', synonym: 'log.retention.bytes' },
  { name: 'retention.ms', type: 'long', defaultValue: '604800000', min: -1, synonym: 'log.retention.ms' },
  // Kafka 4 requires 1 MiB; eddy allows small segments (down to one batch header) for tests and tools.
  { name: 'segment.bytes', type: 'int', defaultValue: '1073741824', min: 14, synonym: 'log.segment.bytes' },
  {
    name: 'segment.index.bytes',
    type: 'int',
    defaultValue: '10485760',
    min: 4,
    synonym: 'log.index.size.max.bytes',
  },
  { name: 'segment.jitter.ms', type: 'long', defaultValue: '0', min: 0, synonym: 'log.roll.jitter.ms' },
  { name: 'segment.ms', type: 'long', defaultValue: '604800000', min: 1, synonym: 'log.roll.ms' },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    defaultValue: 'false',
    synonym: 'unclean.leader.election.enable',
  },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((def) => [def.name, def]));

/** The definition of a topic config, or undefined for a name Kafka would reject. */
export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/**
 * Checks one config value; returns the value to store (trimmed, as Kafka does) or a message saying what
 * is wrong.
 *
 * @example
 * checkTopicConfig('retention.ms', '-5'); // { error: 'retention.ms must be at least -1, not -5' }
 */
export function checkTopicConfig(name: string, raw: string | null): { value: string } | { error: string } {
  const def = BY_NAME.get(name);
  if (def === undefined) return { error: `Unknown topic config name: ${name}` };
  if (raw === null) return { error: `Null value not supported for topic config ${name}` };
  const value = raw.trim();
  const problem = checkValue(def, value);
  if (problem !== null) return { error: `Invalid value ${raw} for configuration ${name}: ${problem}` };
  return { value: canonical(def, value) };
}

/** One spelling per value, so storage (which parses plain integers only) and clients see the same. */
function canonical(def: TopicConfigDef, value: string): string {
  if (def.type === 'int' || def.type === 'long') return BigInt(value).toString();
  if (def.type === 'boolean') return value.toLowerCase();
  if (def.type === 'list')
    return value
      .split(',')
      .map((s) => s.trim())
      .join(',');
  return value;
}

function checkValue(def: TopicConfigDef, value: string): string | null {
  switch (def.type) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(value)) return `not a number of type ${def.type.toUpperCase()}`;
      const n = BigInt(value);
      const [lo, hi] = def.type === 'int' ? [INT_MIN, INT_MAX] : [-(2n ** 63n), 2n ** 63n - 1n];
      if (n < BigInt(lo) || n > BigInt(hi)) return `not a number of type ${def.type.toUpperCase()}`;
      return rangeProblem(def, Number(n));
    }
    case 'double': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) return 'not a number of type DOUBLE';
      return rangeProblem(def, n);
    }
    case 'boolean': {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return 'expected value to be either true or false';
      return def.oneOf !== undefined && !def.oneOf.includes(lower)
        ? `only ${def.oneOf.join(', ')} is supported`
        : null;
    }
    case 'string':
      return def.oneOf !== undefined && !def.oneOf.includes(value)
        ? `String must be one of: ${def.oneOf.join(', ')}`
        : null;
    case 'list': {
      if (def.oneOf === undefined) return null;
      const items = value.split(',').map((s) => s.trim());
      const bad = items.find((item) => !def.oneOf?.includes(item));
      return bad === undefined ? null : `Invalid value ${bad}; must be one of ${def.oneOf.join(', ')}`;
    }
  }
}

function rangeProblem(def: TopicConfigDef, n: number): string | null {
  if (def.min !== undefined && n < def.min) return `Value must be at least ${def.min}`;
  if (def.max !== undefined && n > def.max) return `Value must be no more than ${def.max}`;
  return null;
}
