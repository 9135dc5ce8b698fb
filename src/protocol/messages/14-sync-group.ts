import type { MessageSchema } from '../schema/types.ts';

/**
 * SyncGroup (API key 14), versions 0–4: the leader hands out assignments; every member receives its
 * own. v3 adds `groupInstanceId`, v4 is flexible; the v5 protocol type/name echo is beyond our range.
 *
 * @example
 * SYNC_GROUP_SCHEMA.flexibleVersions; // '4+'
 */
export const SYNC_GROUP_SCHEMA: MessageSchema = {
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'assignments',
      type: '[]SyncGroupRequestAssignment',
      versions: '0+',
      fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
};
