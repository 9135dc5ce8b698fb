import { DESCRIBE_GROUPS_SCHEMA } from '../../protocol/messages/index.ts';
import { defineHandler } from './handler.ts';

interface DescribeGroupsRequest {
  groups: string[];
  /** v3+. */
  includeAuthorizedOperations: boolean;
}

/** Kafka's "not requested" value for authorizedOperations. */
const NOT_REQUESTED = -2147483648;
/**
 * What a Kafka broker without an authorizer reports when asked: every operation a group supports, one
 * bit per ACL operation code (READ 3, DELETE 6, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11).
 */
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

/** DescribeGroups v0–5: state, protocol and members (metadata and assignments while Stable). */
export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, unknown>({
  schema: DESCRIBE_GROUPS_SCHEMA,
  versions: { min: 0, max: 5 },
  handle(request, { apiVersion, broker }) {
    const authorizedOperations =
      apiVersion >= 3 && request.includeAuthorizedOperations ? ALL_GROUP_OPERATIONS : NOT_REQUESTED;
    const groups = broker.groups
      .describeGroups(request.groups)
      .map((group) => ({ ...group, authorizedOperations }));
    return { throttleTimeMs: 0, groups };
  },
});
