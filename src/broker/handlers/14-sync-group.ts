import { SYNC_GROUP_SCHEMA } from '../../protocol/messages/index.ts';
import { defineHandler } from './handler.ts';

interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  assignment: Buffer;
}

/**
 * SyncGroup v0–4. Long-lived while the group completes a rebalance: a member waits here until the
 * leader's assignment is stored. (The v5 protocol type/name check is beyond the served range.)
 */
export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  schema: SYNC_GROUP_SCHEMA,
  versions: { min: 0, max: 4 },
  async handle(request, { apiVersion, broker }) {
    const result = await broker.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
      protocolType: null,
      protocolName: null,
      assignments: request.assignments,
    });
    return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
  },
});
