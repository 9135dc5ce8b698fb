import { StreamError } from '../common/errors.ts';
import type { TaskAssignor } from './group-assignment.ts';

/** `joinJobGroup`'s options with every default filled in. */
export interface ResolvedGroupOptions {
  readonly bootstrap: string;
  readonly groupId: string;
  readonly memberName: string;
  readonly clientId: string;
  readonly tasks: number;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly assign?: TaskAssignor;
}

/** What a caller may leave out of `ResolvedGroupOptions`. */
export type GroupOptionsInput = Omit<
  ResolvedGroupOptions,
  'clientId' | 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'heartbeatIntervalMs'
> &
  Partial<ResolvedGroupOptions>;

/** Kafka's consumer default since 3.0. */
const DEFAULT_SESSION_TIMEOUT_MS = 45_000;
/** Long enough for a checkpoint and its commit, which a member runs before it rejoins. */
const DEFAULT_REBALANCE_TIMEOUT_MS = 60_000;

/**
 * Checks `joinJobGroup`'s options and fills in defaults; throws ENG_GROUP_OPTIONS_INVALID naming the
 * option. The heartbeat interval defaults to a third of the session timeout, at most 3 s (Kafka's).
 *
 * @example
 * validateGroupOptions({ bootstrap, groupId: 'eddy-job', memberName: 'a', tasks: 4 }).heartbeatIntervalMs; // 3000
 */
export function validateGroupOptions(options: GroupOptionsInput): ResolvedGroupOptions {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  const resolved: ResolvedGroupOptions = {
    ...options,
    clientId: options.clientId ?? `eddy-${options.memberName}`,
    sessionTimeoutMs,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? DEFAULT_REBALANCE_TIMEOUT_MS,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
  };
  const problems: string[] = [];
  for (const key of ['bootstrap', 'groupId', 'memberName', 'clientId'] as const) {
    if (typeof resolved[key] !== 'string' || resolved[key].trim() === '') {
      problems.push(`${key} must be a non-empty string`);
    }
  }
  if (!Number.isInteger(resolved.tasks) || resolved.tasks < 1) {
    problems.push(`tasks must be a whole number of at least 1, not ${resolved.tasks}`);
  }
  for (const key of ['sessionTimeoutMs', 'rebalanceTimeoutMs', 'heartbeatIntervalMs'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
      problems.push(`${key} must be a whole number of milliseconds (1 to 2^31-1), not ${value}`);
    }
  }
  if (resolved.heartbeatIntervalMs >= resolved.sessionTimeoutMs) {
    problems.push(
      `heartbeatIntervalMs (${resolved.heartbeatIntervalMs}) must be below sessionTimeoutMs (${resolved.sessionTimeoutMs}), or the broker evicts the member between two heartbeats; a third of it is usual`,
    );
  }
  if (resolved.assign !== undefined && typeof resolved.assign !== 'function') {
    problems.push('assign must be a function (tasks, members) => Map of member id to tasks');
  }
  if (problems.length > 0) {
    throw new StreamError('ENG_GROUP_OPTIONS_INVALID', `joinJobGroup: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return resolved;
}
