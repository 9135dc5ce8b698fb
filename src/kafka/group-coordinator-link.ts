// The wire side of a job's group membership: finding the group coordinator and sending it JoinGroup,
// SyncGroup, Heartbeat and LeaveGroup. The client library's Consumer runs its own membership loop (protocol
// type "consumer", topic-partition assignments, rejoins it does not let us delay), so eddy sends these
// requests itself over the library's Connection, as transaction-offsets.ts does for KIP-447 offsets.

import {
  Admin,
  Connection,
  FindCoordinatorKeyTypes,
  heartbeatV4,
  joinGroupV6,
  leaveGroupV4,
  syncGroupV4,
} from '@platformatic/kafka';
import { baseClientOptions } from './client-options.ts';
import { GROUP_PROTOCOL_NAME, GROUP_PROTOCOL_TYPE } from './group-assignment.ts';

/** A JoinGroup answer: the new generation, and for the leader every member's metadata. */
export interface JoinedGeneration {
  readonly generation: number;
  readonly memberId: string;
  readonly leader: string;
  readonly members: readonly { memberId: string; metadata: Buffer }[];
}

/** How the membership loop must react to a failed group request. */
export type GroupErrorKind =
  /** JoinGroup v4+ handed out a member id: join again with it at once. */
  | 'member-id-required'
  /** The group is rebalancing (or our request was superseded): join again. */
  | 'rebalance'
  /** The coordinator no longer knows this member id: join again without one. */
  | 'unknown-member'
  /** The group moved to another generation without us: join again with the same id. */
  | 'illegal-generation'
  /** The coordinator moved, is loading, or cannot be reached: find it again and retry. */
  | 'coordinator'
  /** Anything else (invalid session timeout, protocol mismatch, authorization): give up. */
  | 'fatal';

const RETRY_WITH_COORDINATOR = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
]);

/** The Kafka error name (e.g. "NOT_COORDINATOR") inside a client error, if it carries one. */
export function kafkaErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const apiId = (error as { apiId?: unknown }).apiId;
  if (typeof apiId === 'string') return apiId;
  const nested = (error as { errors?: unknown }).errors;
  if (!Array.isArray(nested)) return undefined;
  for (const inner of nested) {
    const found = kafkaErrorName(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Sorts a group request's failure into what the membership loop does next. */
export function classifyGroupError(error: unknown): GroupErrorKind {
  if (error instanceof CoordinatorNotFound) return 'coordinator';
  const name = kafkaErrorName(error);
  if (name === undefined) {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'PLT_KFK_NETWORK' || code === 'PLT_KFK_TIMEOUT' || isNested(error)
      ? 'coordinator'
      : 'fatal';
  }
  if (name === 'MEMBER_ID_REQUIRED') return 'member-id-required';
  if (name === 'REBALANCE_IN_PROGRESS') return 'rebalance';
  if (name === 'UNKNOWN_MEMBER_ID' || name === 'FENCED_INSTANCE_ID') return 'unknown-member';
  if (name === 'ILLEGAL_GENERATION') return 'illegal-generation';
  if (RETRY_WITH_COORDINATOR.has(name)) return 'coordinator';
  return 'fatal';
}

/** The member id a MEMBER_ID_REQUIRED answer carries. */
export function requiredMemberId(error: unknown): string | undefined {
  const response = (error as { response?: { memberId?: unknown } } | null)?.response;
  return typeof response?.memberId === 'string' && response.memberId !== '' ? response.memberId : undefined;
}

/** Network failures the library wraps several times over (retries): coordinator trouble if any inner one is. */
function isNested(error: unknown): boolean {
  const nested = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(nested) && nested.some((inner) => classifyGroupError(inner) === 'coordinator');
}

/** FindCoordinator named no broker for the group. */
class CoordinatorNotFound extends Error {
  constructor(groupId: string) {
    super(`no coordinator found for group "${groupId}"`);
  }
}

export interface CoordinatorLinkOptions {
  readonly bootstrap: string;
  readonly clientId: string;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
}

/**
 * Connections to one group's coordinator. JoinGroup and SyncGroup wait on the broker until the rebalance
 * moves on (up to the rebalance timeout), and a connection answers in order, so they get a connection of
 * their own with a long request timeout; heartbeats and LeaveGroup use a second one with a short timeout.
 *
 * @example
 * const link = new CoordinatorLink({ bootstrap, clientId: 'eddy-group-a', groupId: 'eddy-job', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 60_000 });
 * const joined = await link.join(memberId, metadata);
 */
export class CoordinatorLink {
  private readonly options: CoordinatorLinkOptions;
  private readonly admin: Admin;
  private coordinator: Promise<{ host: string; port: number }> | undefined;
  private readonly connections = new Map<'rebalance' | 'session', Connection>();

  constructor(options: CoordinatorLinkOptions) {
    this.options = options;
    this.admin = new Admin(baseClientOptions(options, 'group'));
  }

  async join(memberId: string, metadata: Buffer): Promise<JoinedGeneration> {
    const { groupId, sessionTimeoutMs, rebalanceTimeoutMs } = this.options;
    const connection = await this.connection('rebalance');
    const response = await joinGroupV6.api.async(
      connection,
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId,
      null,
      GROUP_PROTOCOL_TYPE,
      [{ name: GROUP_PROTOCOL_NAME, metadata }],
    );
    return {
      generation: response.generationId,
      memberId: response.memberId,
      leader: response.leader,
      members: response.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })),
    };
  }

  /** Sends SyncGroup (the leader with every member's share) and returns this member's share. */
  async sync(
    generation: number,
    memberId: string,
    assignments: ReadonlyMap<string, Buffer>,
  ): Promise<Buffer> {
    const connection = await this.connection('rebalance');
    const response = await syncGroupV4.api.async(
      connection,
      this.options.groupId,
      generation,
      memberId,
      null,
      GROUP_PROTOCOL_TYPE,
      GROUP_PROTOCOL_NAME,
      [...assignments].map(([id, assignment]) => ({ memberId: id, assignment })),
    );
    return response.assignment;
  }

  async heartbeat(generation: number, memberId: string): Promise<void> {
    const connection = await this.connection('session');
    await heartbeatV4.api.async(connection, this.options.groupId, generation, memberId, null);
  }

  /** Leaves the group; a coordinator that moved is looked up once more. Errors are the caller's to ignore. */
  async leave(memberId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const connection = await this.connection('session');
        await leaveGroupV4.api.async(connection, this.options.groupId, [{ memberId }]);
        return;
      } catch (error) {
        if (attempt >= 2 || classifyGroupError(error) !== 'coordinator') throw error;
        await this.forgetCoordinator();
      }
    }
  }

  /** Drops the coordinator's address and connections (after NOT_COORDINATOR or a network failure). */
  async forgetCoordinator(): Promise<void> {
    this.coordinator = undefined;
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(open.map((c) => c.close()));
  }

  async close(): Promise<void> {
    await this.forgetCoordinator();
    await this.admin.close();
  }

  private async connection(role: 'rebalance' | 'session'): Promise<Connection> {
    const existing = this.connections.get(role);
    if (existing?.isConnected()) return existing;
    if (existing !== undefined) await existing.close().catch(() => undefined);
    this.coordinator ??= this.findCoordinator();
    const { host, port } = await this.coordinator.catch((error: unknown) => {
      this.coordinator = undefined;
      throw error;
    });
    // A parked JoinGroup may wait a whole rebalance timeout; a heartbeat slower than a session is lost anyway.
    const requestTimeout =
      role === 'rebalance' ? this.options.rebalanceTimeoutMs + 5_000 : this.options.sessionTimeoutMs;
    const connection = new Connection(this.options.clientId, { requestTimeout });
    // Failures reach the pending requests' callbacks; the event itself would crash the process unheard.
    connection.on('error', () => undefined);
    this.connections.set(role, connection);
    try {
      await connection.connect(host, port);
    } catch (error) {
      this.connections.delete(role);
      throw error;
    }
    return connection;
  }

  private async findCoordinator(): Promise<{ host: string; port: number }> {
    const [found] = await this.admin.findCoordinator({
      keyType: FindCoordinatorKeyTypes.GROUP,
      keys: [this.options.groupId],
    });
    if (found === undefined) throw new CoordinatorNotFound(this.options.groupId);
    return { host: found.host, port: found.port };
  }
}
