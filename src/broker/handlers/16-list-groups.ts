import { LIST_GROUPS_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { defineHandler } from './handler.ts';

/** ListGroups v0–4; v4 filters by state (case-insensitive) and reports each group's state. */
export const listGroupsHandler = defineHandler<{ statesFilter: string[] }, unknown>({
  schema: LIST_GROUPS_SCHEMA,
  versions: { min: 0, max: 4 },
  handle(request, { apiVersion, broker }) {
    const groups = broker.groups.listGroups(apiVersion >= 4 ? request.statesFilter : []);
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups };
  },
});
