import { HEARTBEAT_SCHEMA } from '../../protocol/messages/index.ts';
import { defineHandler } from './handler.ts';

interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
}

/** Heartbeat v0–4: keeps a member's session alive; the error code tells it to rejoin or that it is out. */
export const heartbeatHandler = defineHandler<
  HeartbeatRequest,
  { throttleTimeMs: number; errorCode: number }
>({
  schema: HEARTBEAT_SCHEMA,
  versions: { min: 0, max: 4 },
  handle(request, { apiVersion, broker }) {
    const errorCode = broker.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
    });
    return { throttleTimeMs: 0, errorCode };
  },
});
