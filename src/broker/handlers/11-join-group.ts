import { JOIN_GROUP_SCHEMA } from '../../protocol/messages/index.ts';
import { clientHost } from './group-request.ts';
import { defineHandler } from './handler.ts';

interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; -1 (absent) in v0. */
  rebalanceTimeoutMs: number;
  memberId: string;
  /** v5+. */
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}

interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/**
 * JoinGroup v0–6. A long-lived request: it is answered when the group's rebalance completes, which
 * holds up only this connection (requests on one connection are served in order, as in Kafka).
 * v0 has no rebalance timeout; the session timeout stands in for it, as in Kafka. From v4 a first join
 * is answered MEMBER_ID_REQUIRED.
 */
export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  schema: JOIN_GROUP_SCHEMA,
  versions: { min: 0, max: 6 },
  async handle(request, { apiVersion, clientId, connection, broker }) {
    const result = await broker.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 5 ? request.groupInstanceId : null,
      clientId: clientId ?? '',
      clientHost: clientHost(connection),
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      requireKnownMemberId: apiVersion >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolName: result.protocolName ?? '',
      leader: result.leader,
      memberId: result.memberId,
      members: result.members,
    };
  },
});
