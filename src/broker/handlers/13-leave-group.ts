import { LEAVE_GROUP_SCHEMA } from '../../protocol/messages/index.ts';
import { defineHandler } from './handler.ts';

interface LeaveGroupRequest {
  groupId: string;
  /** v0–2: the one member leaving. */
  memberId: string;
  /** v3+: a batch, each with an optional static instance id. */
  members: { memberId: string; groupInstanceId: string | null }[];
}

interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

/**
 * LeaveGroup v0–4. v0–2 name one member and carry its outcome in the top-level error code (as Kafka
 * folds it); v3+ name several and get one result each.
 */
export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  schema: LEAVE_GROUP_SCHEMA,
  versions: { min: 0, max: 4 },
  handle(request, { apiVersion, broker }) {
    const leaving =
      apiVersion >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null }];
    const result = broker.groups.leaveGroup(request.groupId, leaving);
    if (apiVersion >= 3) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    const errorCode = result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
});
