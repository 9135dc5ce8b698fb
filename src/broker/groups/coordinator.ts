import type { Logger } from '../../common/logging.ts';
import { KafkaError } from '../error-codes.ts';
import type { Durability } from '../storage/log-config.ts';
import {
  type CommitOffsetsInput,
  type CommitOffsetsResult,
  commitOffsets,
  type PartitionExists,
} from './commit-offsets.ts';
import { type GroupCoordinatorConfig, groupCoordinatorConfig } from './config.ts';
import { type DescribedGroup, describeGroups, type ListedGroup, listGroups } from './describe-groups.ts';
import { type FetchOffsetsInput, type FetchOffsetsResult, fetchOffsets } from './fetch-offsets.ts';
import { ClassicGroup } from './group.ts';
import { GroupStore, restoreGroup } from './group-store.ts';
import { type HeartbeatInput, heartbeat } from './heartbeat.ts';
import { type JoinGroupInput, joinGroup } from './join-group.ts';
import { type LeaveGroupResult, type LeavingMember, leaveGroup } from './leave-group.ts';
import { type JoinGroupResult, joinError, type SyncGroupResult, syncError } from './member.ts';
import { deleteOffsetsOfTopics, expireOffsetsAndGroups } from './offset-expiry.ts';
import type { CommittedOffset, OffsetKey } from './offset-store.ts';
import { OffsetStore } from './offset-store.ts';
import { rescheduleHeartbeat } from './rebalance.ts';
import { type GroupRuntime, timerKey } from './runtime.ts';
import { type SyncGroupInput, syncGroup } from './sync-group.ts';
import { KeyedTimers, realScheduler, type Scheduler } from './timers.ts';
import { applyTxnOffsets, type TxnCommitMember, validateTxnOffsetCommit } from './txn-offsets.ts';

const { COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR } = KafkaError;

/** How to open a coordinator: where and how durably to store, and optional test clock/settings. */
export interface GroupCoordinatorOptions {
  dataDir: string;
  durability: Durability;
  log: Logger;
  /** The clock; Date.now by default. */
  now?: () => number;
  /** Replaces clock and timers together (tests drive time by hand); overrides `now`. */
  scheduler?: Scheduler;
  /** Overrides of Kafka's group settings (session timeout bounds, initial rebalance delay, retention). */
  config?: Partial<GroupCoordinatorConfig>;
}

/**
 * The broker's consumer-group coordinator for the classic protocol: membership and rebalances
 * (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), committed offsets (OffsetCommit, OffsetFetch) and group
 * listings. Group metadata and offsets are stored durably and reloaded on start; members of a reloaded
 * group keep their generation and must heartbeat within their session timeout, as after a Kafka
 * coordinator failover. Kafka errors are returned as codes, never thrown.
 *
 * @example
 * const groups = await GroupCoordinator.open({ dataDir, durability: 'fsync', log });
 * const joined = await groups.joinGroup({ groupId: 'g', memberId: '', ... });
 * await groups.close();
 */
export class GroupCoordinator {
  private readonly rt: GroupRuntime;
  private closed = false;

  private constructor(rt: GroupRuntime) {
    this.rt = rt;
  }

  static async open(options: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    const store = await GroupStore.open(options.dataDir, options.durability);
    const log = options.log.child({ component: 'groups' });
    const onTimerError = (error: unknown, timer: string) =>
      log.error({ err: error, timer }, 'group timer failed');
    const rt: GroupRuntime = {
      config: groupCoordinatorConfig(options.config),
      log,
      timers: new KeyedTimers(options.scheduler ?? realScheduler(options.now), onTimerError),
      store,
      groups: new Map(),
      offsets: new OffsetStore(),
    };
    const coordinator = new GroupCoordinator(rt);
    coordinator.load();
    coordinator.scheduleCleanup();
    return coordinator;
  }

  /** The settings in force. */
  get config(): GroupCoordinatorConfig {
    return this.rt.config;
  }

  /**
   * The committed offsets. The seam for transactions: TxnOffsetCommit marks partitions pending here until
   * EndTxn, and OffsetFetch(requireStable) answers UNSTABLE_OFFSET_COMMIT for them meanwhile.
   */
  get offsets(): OffsetStore {
    return this.rt.offsets;
  }

  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    if (this.closed) return Promise.resolve(joinError(input.memberId, COORDINATOR_NOT_AVAILABLE));
    return joinGroup(this.rt, input);
  }

  syncGroup(input: SyncGroupInput): Promise<SyncGroupResult> {
    if (this.closed) return Promise.resolve(syncError(COORDINATOR_NOT_AVAILABLE));
    return syncGroup(this.rt, input);
  }

  /** Returns the Heartbeat error code (0 = keep going). */
  heartbeat(input: HeartbeatInput): number {
    return this.closed ? COORDINATOR_NOT_AVAILABLE : heartbeat(this.rt, input);
  }

  leaveGroup(groupId: string, members: readonly LeavingMember[]): LeaveGroupResult {
    if (this.closed) return { errorCode: COORDINATOR_NOT_AVAILABLE, members: [] };
    return leaveGroup(this.rt, groupId, members);
  }

  /** Resolves once the accepted offsets are durable. */
  commitOffsets(input: CommitOffsetsInput, partitionExists?: PartitionExists): Promise<CommitOffsetsResult> {
    if (this.closed) {
      return Promise.resolve(
        input.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: COORDINATOR_NOT_AVAILABLE,
          })),
        })),
      );
    }
    return commitOffsets(this.rt, input, partitionExists);
  }

  /** TxnOffsetCommit's group checks (see txn-offsets.ts); NONE when the member may commit. */
  validateTxnOffsetCommit(groupId: string, member: TxnCommitMember): number {
    return this.closed ? COORDINATOR_NOT_AVAILABLE : validateTxnOffsetCommit(this.rt, groupId, member);
  }

  /** Writes a committed transaction's offsets durably and makes them visible (the transaction coordinator's). */
  applyTxnOffsets(writes: readonly [OffsetKey, CommittedOffset][]): Promise<void> {
    return applyTxnOffsets(this.rt, writes);
  }

  fetchOffsets(input: FetchOffsetsInput): FetchOffsetsResult {
    if (this.closed) return { groupId: input.groupId, errorCode: COORDINATOR_NOT_AVAILABLE, topics: [] };
    return fetchOffsets(this.rt, input);
  }

  describeGroups(groupIds: readonly string[]): DescribedGroup[] {
    return describeGroups(this.rt, groupIds);
  }

  /** Groups, optionally only those in the given states (ListGroups v4 statesFilter). */
  listGroups(statesFilter?: readonly string[]): ListedGroup[] {
    return listGroups(this.rt, statesFilter);
  }

  /** Forgets committed offsets of deleted topics; for DeleteTopics. */
  deleteOffsetsOfTopics(topics: readonly string[]): Promise<void> {
    return deleteOffsetsOfTopics(this.rt, topics);
  }

  /** Runs the offset-retention job now (it also runs every `offsetsRetentionCheckIntervalMs`). */
  expireOffsets(): Promise<void> {
    return expireOffsetsAndGroups(this.rt);
  }

  /**
   * Stops timers, answers parked JoinGroup/SyncGroup requests with NOT_COORDINATOR (the clients look for
   * the coordinator again, as when a Kafka coordinator unloads its groups) and closes the store.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rt.timers.close();
    for (const group of this.rt.groups.values()) {
      for (const member of group.members.values()) {
        member.completeJoin(joinError(member.memberId, NOT_COORDINATOR));
        member.completeSync(syncError(NOT_COORDINATOR));
      }
    }
    await this.rt.store.close();
  }

  private load(): void {
    const { groups, offsets } = this.rt.store.load();
    for (const [groupId, stored] of groups) {
      const group = restoreGroup(groupId, stored);
      this.rt.groups.set(groupId, group);
      for (const member of group.members.values()) rescheduleHeartbeat(this.rt, group, member);
    }
    for (const [key, value] of offsets) {
      this.rt.offsets.put(key, value);
      // Offsets committed without group management leave no group record: the group is implied.
      if (!this.rt.groups.has(key.groupId))
        this.rt.groups.set(key.groupId, new ClassicGroup(key.groupId, null));
    }
    this.rt.log.info({ groups: this.rt.groups.size, offsets: offsets.length }, 'group coordinator loaded');
  }

  private scheduleCleanup(): void {
    this.rt.timers.schedule(timerKey.cleanup, this.rt.config.offsetsRetentionCheckIntervalMs, () => {
      expireOffsetsAndGroups(this.rt)
        .catch((error: unknown) => this.rt.log.warn({ err: error }, 'offset expiry failed'))
        .finally(() => this.scheduleCleanup());
    });
  }
}
