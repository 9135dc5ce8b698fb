// Membership of one job process in its job's consumer group: the processes started with the same job id
// divide the job's tasks through Kafka's classic group protocol, with no coordinator of eddy's own. The
// rebalance is eager: before rejoining, a member gives up all its tasks ('revoking', awaited), so no task
// is ever worked on by two processes that both follow the protocol. See docs/internals/scale-out.md.

import { hostname } from 'node:os';
import { StreamError } from '../common/errors.ts';
import { isUnreachable } from './client-errors.ts';
import {
  assignContiguousRanges,
  computeAssignment,
  decodeAssignment,
  decodeSubscription,
  encodeSubscription,
  type TaskAssignment,
  type TaskAssignor,
} from './group-assignment.ts';
import {
  CoordinatorLink,
  classifyGroupError,
  type JoinedGeneration,
  requiredMemberId,
} from './group-coordinator-link.ts';
import { disagreement, membershipFailed } from './group-errors.ts';
import { HeartbeatLoop } from './group-heartbeat.ts';
import { type ResolvedGroupOptions, validateGroupOptions } from './group-options.ts';

export type { GroupMemberInfo, TaskAssignment, TaskAssignor } from './group-assignment.ts';
export { assignContiguousRanges } from './group-assignment.ts';

/** Options of `joinJobGroup`. Timeouts are Kafka's consumer settings of the same names. */
export interface JobGroupOptions {
  /** `host:port`, or several separated by commas. */
  readonly bootstrap: string;
  /** Usually `eddy-${jobId}`. */
  readonly groupId: string;
  /** How the process shows up in logs and to assignors, e.g. `${hostname()}-${process.pid}` (the default). */
  readonly memberName?: string;
  /** How many work units the job has (e.g. the largest partition count); every member passes the same. */
  readonly tasks: number;
  /** The broker evicts a member it has not heard from for this long. Default 45 000 (Kafka's). */
  readonly sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin (their hand-over included). Default 60 000. */
  readonly rebalanceTimeoutMs?: number;
  /** Default: a third of the session timeout, at most 3000 (Kafka's). */
  readonly heartbeatIntervalMs?: number;
  /** Default: `assignContiguousRanges` (balanced contiguous ranges over members sorted by member id). */
  readonly assign?: TaskAssignor;
  /** Client id in the broker's logs; the broker also prefixes member ids with it. Default `eddy-<memberName>`. */
  readonly clientId?: string;
}

/** Why a member gives its tasks up. */
export type RevokeReason =
  /** The group rebalances; the member rejoins and may get the same tasks back. */
  | 'rebalance'
  /** The member lost its place (evicted, or cut off for a session): others may already own its tasks. */
  | 'lost'
  /** `leave()` was called, or the member stopped after an error. */
  | 'leave';

type AssignedListener = (assignment: TaskAssignment) => void;
type RevokingListener = (old: TaskAssignment, reason: RevokeReason) => void | Promise<void>;
type ErrorListener = (error: Error) => void;

const RETRY_BACKOFF_MS = [100, 200, 500, 1000];

/**
 * Joins the job's group and resolves once this process has its first assignment. Rejects with
 * ENG_GROUP_OPTIONS_INVALID, or ENG_GROUP_MEMBERSHIP_FAILED when the cluster cannot be reached or
 * refuses the member.
 *
 * @example
 * const member = await joinJobGroup({ bootstrap, groupId: `eddy-${jobId}`, tasks: 12 });
 * member.on('revoking', async (old) => { await checkpointAndCommit(old.tasks); });
 * member.on('assigned', (a) => startTasks(a.tasks));
 * startTasks(member.assignment.tasks);
 * // ... on shutdown:
 * await member.leave();
 */
export async function joinJobGroup(options: JobGroupOptions): Promise<JobGroupMember> {
  const memberName = options.memberName ?? `${hostname()}-${process.pid}`;
  const resolved = validateGroupOptions({ ...options, memberName });
  const member = new JobGroupMember(resolved);
  await member.started;
  return member;
}

/**
 * One process's membership in its job's group. `assignment.tasks` are the tasks this process owns right
 * now: they change only through an 'assigned' event, and become empty after every 'revoking' listener
 * has finished.
 */
export class JobGroupMember {
  /** Settles when the first assignment arrived, or the member failed before it. */
  readonly started: Promise<void>;
  private readonly options: ResolvedGroupOptions;
  private readonly link: CoordinatorLink;
  private readonly listeners = {
    assigned: new Set<AssignedListener>(),
    revoking: new Set<RevokingListener>(),
    error: new Set<ErrorListener>(),
  };
  private id = '';
  private current: TaskAssignment = { generation: -1, tasks: [], members: 0 };
  private lastOwned: readonly number[] = [];
  private holding = false;
  private active = true;
  private reached = false;
  private heartbeats: HeartbeatLoop | undefined;
  private handingOver: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private readonly stopSignal: Promise<'stopped'>;
  private signalStop: () => void = () => undefined;
  private settleStart: (error?: Error) => void = () => undefined;
  private readonly loop: Promise<void>;

  /** Use `joinJobGroup`, which validates the options and waits for the first assignment. */
  constructor(options: ResolvedGroupOptions) {
    this.options = options;
    this.link = new CoordinatorLink(options);
    this.stopSignal = new Promise((resolve) => {
      this.signalStop = () => resolve('stopped');
    });
    this.started = new Promise((resolve, reject) => {
      this.settleStart = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.loop = this.run();
  }

  /** This member's id in the group ('' until the broker gave it one). */
  get memberId(): string {
    return this.id;
  }

  /** The current generation and the tasks this process owns in it. */
  get assignment(): TaskAssignment {
    return this.current;
  }

  /** 'assigned' after every rebalance; 'revoking' (awaited) before tasks are given up; 'error'. */
  on(event: 'assigned', listener: AssignedListener): this;
  on(event: 'revoking', listener: RevokingListener): this;
  on(event: 'error', listener: ErrorListener): this;
  on(
    event: keyof JobGroupMember['listeners'],
    listener: AssignedListener & RevokingListener & ErrorListener,
  ): this {
    this.listeners[event].add(listener);
    return this;
  }

  off(event: 'assigned', listener: AssignedListener): this;
  off(event: 'revoking', listener: RevokingListener): this;
  off(event: 'error', listener: ErrorListener): this;
  off(
    event: keyof JobGroupMember['listeners'],
    listener: AssignedListener & RevokingListener & ErrorListener,
  ): this {
    this.listeners[event].delete(listener);
    return this;
  }

  /**
   * Hands the tasks over ('revoking' with reason 'leave', awaited, heartbeats going on meanwhile), then
   * sends LeaveGroup so the others rebalance at once instead of after the session timeout.
   */
  leave(): Promise<void> {
    this.stopping ??= this.shutDown().then(() => this.loop);
    return this.stopping;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.active) {
      try {
        const metadata = encodeSubscription({
          tasks: this.options.tasks,
          name: this.options.memberName,
          owned: this.lastOwned,
        });
        const joined = await this.link.join(this.id, metadata);
        this.id = joined.memberId;
        const shares =
          joined.leader === joined.memberId ? this.assignAsLeader(joined) : new Map<string, Buffer>();
        const share = decodeAssignment(await this.link.sync(joined.generation, joined.memberId, shares));
        if (share.tasks !== this.options.tasks) throw disagreement(this.options.tasks, share.tasks);
        if (!this.active) return;
        failures = 0;
        this.current = { generation: joined.generation, tasks: share.owned, members: share.members };
        this.lastOwned = share.owned;
        this.holding = true;
        this.reached = true;
        this.emitAssigned(this.current);
        this.settleStart();
        await this.holdUntilRejoin(joined.generation);
      } catch (error) {
        if (!this.active) return;
        const kind = error instanceof StreamError ? 'fatal' : classifyGroupError(error);
        if (kind === 'fatal' || (kind === 'coordinator' && isUnreachable(error) && !this.reached)) {
          return this.fail(error);
        }
        if (kind === 'member-id-required') {
          // KIP-394's second step: join again at once with the id the broker handed out.
          const required = requiredMemberId(error);
          if (required === undefined) return this.fail(error);
          this.id = required;
          continue;
        }
        if (kind === 'unknown-member') this.id = '';
        if (kind === 'coordinator') await this.link.forgetCoordinator();
        // Rejoin at once after a rebalance error, but back off when errors repeat or the coordinator is away.
        if (kind === 'coordinator' || failures > 0) {
          await this.pause(RETRY_BACKOFF_MS[Math.min(failures, RETRY_BACKOFF_MS.length - 1)]);
        }
        failures++;
      }
    }
  }

  /** Heartbeats until the group asks for a rejoin, then hands the tasks over. */
  private async holdUntilRejoin(generation: number): Promise<void> {
    const loop = new HeartbeatLoop({
      send: () => this.link.heartbeat(generation, this.id),
      onCoordinatorError: () => this.link.forgetCoordinator(),
      intervalMs: this.options.heartbeatIntervalMs,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
    });
    this.heartbeats = loop;
    // On leave() the heartbeats go on: leave() hands the tasks over and stops them.
    const alarm = await Promise.race([loop.alarm, this.stopSignal]);
    if (alarm === 'stopped') return;
    await this.revoke(alarm.kind === 'rebalance' ? 'rebalance' : 'lost');
    loop.stop();
    const latest = loop.latest;
    if (latest?.kind === 'unknown-member') this.id = '';
    if (latest?.kind === 'fatal') throw latest.error;
  }

  /** The leader's share of the work: every member's tasks from the assignor, checked. */
  private assignAsLeader(joined: JoinedGeneration): Map<string, Buffer> {
    const members = joined.members.map((m) => decodeSubscription(m.memberId, m.metadata));
    return computeAssignment(this.options.tasks, members, this.options.assign ?? assignContiguousRanges);
  }

  /** Runs every 'revoking' listener, one after the other, then owns nothing. */
  private revoke(reason: RevokeReason): Promise<void> {
    if (!this.holding) return this.handingOver;
    this.holding = false;
    const old = this.current;
    this.handingOver = (async () => {
      for (const listener of [...this.listeners.revoking]) {
        try {
          await listener(old, reason);
        } catch (error) {
          this.emitError(error);
        }
      }
      this.current = { ...old, tasks: [] };
    })();
    return this.handingOver;
  }

  private async shutDown(): Promise<void> {
    this.active = false;
    this.signalStop();
    await this.handingOver;
    await this.revoke('leave');
    this.heartbeats?.stop();
    if (this.id !== '') await this.link.leave(this.id).catch(() => undefined);
    await this.link.close().catch(() => undefined);
  }

  /** Stops for good: hands over, leaves, then reports (the caller of joinJobGroup, or 'error'). */
  private async fail(error: unknown): Promise<void> {
    this.stopping ??= this.shutDown();
    await this.stopping;
    const reported = error instanceof StreamError ? error : membershipFailed(this.options, error);
    if (this.reached) this.emitError(reported);
    else this.settleStart(reported);
  }

  private pause(ms: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return Promise.race([elapsed, this.stopSignal]).finally(() => clearTimeout(timer));
  }

  private emitAssigned(assignment: TaskAssignment): void {
    for (const listener of [...this.listeners.assigned]) {
      try {
        listener(assignment);
      } catch (error) {
        this.emitError(error);
      }
    }
  }

  private emitError(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(String(error));
    if (this.listeners.error.size === 0) {
      // Like an EventEmitter: an error nobody listens for must not pass unnoticed.
      queueMicrotask(() => {
        throw reported;
      });
      return;
    }
    for (const listener of [...this.listeners.error]) listener(reported);
  }
}
