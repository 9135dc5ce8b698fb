// The errors a job's group membership reports, with messages that say what to change.

import { StreamError } from '../common/errors.ts';
import { isUnreachable } from './client-errors.ts';
import { kafkaErrorName } from './group-coordinator-link.ts';
import type { ResolvedGroupOptions } from './group-options.ts';

/** The leader's assignment was made for another task count than this process has. */
export function disagreement(ours: number, leaders: number): StreamError {
  return new StreamError(
    'ENG_GROUP_ASSIGNMENT_INVALID',
    `the group leader assigned ${leaders} tasks but this process has ${ours}: every process of a job must run the same job version with the same inputs`,
  );
}

const HINTS: Record<string, string> = {
  INVALID_SESSION_TIMEOUT:
    "the session timeout is outside the broker's group.min.session.timeout.ms..group.max.session.timeout.ms; change sessionTimeoutMs or the broker's settings",
  INCONSISTENT_GROUP_PROTOCOL:
    'the group is used by clients of another kind (not eddy job processes); run the job with another job id or group id',
  GROUP_AUTHORIZATION_FAILED:
    'the cluster does not let this client use the group; grant it READ on the group',
  INVALID_GROUP_ID: 'the broker refused the group id; use another one',
  GROUP_MAX_SIZE_REACHED: "the group is full (the broker's group.max.size); run fewer processes or raise it",
};

/** ENG_GROUP_MEMBERSHIP_FAILED for a failure no retry fixes, with a hint for the usual Kafka refusals. */
export function membershipFailed(options: ResolvedGroupOptions, error: unknown): StreamError {
  const name = kafkaErrorName(error);
  const where = `member ${options.memberName} of group "${options.groupId}"`;
  const message =
    name !== undefined
      ? `the broker refused ${where}: ${name}${HINTS[name] === undefined ? '' : ` (${HINTS[name]})`}`
      : isUnreachable(error)
        ? `${where} cannot reach the cluster at ${options.bootstrap}: check the address and that the brokers are up`
        : `${where} failed: ${(error as Error).message ?? String(error)}`;
  return new StreamError('ENG_GROUP_MEMBERSHIP_FAILED', message, {
    cause: error,
    details: { groupId: options.groupId, kafkaError: name },
  });
}
