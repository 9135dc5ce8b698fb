/**
 * Settings of the group coordinator, named after Kafka's broker configs. Defaults are Kafka's, except
 * `initialRebalanceDelayMs`: Kafka ships 3000 but its own `config/server.properties` sets 0 "for a better
 * out-of-the-box experience for development and testing", which is what an embedded broker is for.
 *
 * @example
 * const config = groupCoordinatorConfig({ minSessionTimeoutMs: 100 }); // tests with short sessions
 */
export interface GroupCoordinatorConfig {
  /** `group.min.session.timeout.ms`: JoinGroup below this gets INVALID_SESSION_TIMEOUT. */
  readonly minSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms`: JoinGroup above this gets INVALID_SESSION_TIMEOUT. */
  readonly maxSessionTimeoutMs: number;
  /** `group.initial.rebalance.delay.ms`: how long the first rebalance of an empty group waits for more members. */
  readonly initialRebalanceDelayMs: number;
  /** How long a new member may wait in JoinGroup before it is dropped (Kafka: 5 minutes, not configurable). */
  readonly newMemberJoinTimeoutMs: number;
  /** `offset.metadata.max.bytes`: longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  readonly offsetMetadataMaxSize: number;
  /** `offsets.retention.minutes` in milliseconds. */
  readonly offsetsRetentionMs: number;
  /** `offsets.retention.check.interval.ms`: how often expired offsets and empty groups are removed. */
  readonly offsetsRetentionCheckIntervalMs: number;
}

/** Kafka's defaults, with the initial rebalance delay at 0 (see above). */
export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 0,
  newMemberJoinTimeoutMs: 5 * 60 * 1000,
  offsetMetadataMaxSize: 4096,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
};

/** Kafka's defaults with the given overrides. */
export function groupCoordinatorConfig(
  overrides: Partial<GroupCoordinatorConfig> = {},
): GroupCoordinatorConfig {
  const config: { -readonly [K in keyof GroupCoordinatorConfig]: number } = {
    ...DEFAULT_GROUP_COORDINATOR_CONFIG,
  };
  for (const [key, value] of Object.entries(overrides) as [
    keyof GroupCoordinatorConfig,
    number | undefined,
  ][]) {
    if (value !== undefined) config[key] = value;
  }
  return config;
}
