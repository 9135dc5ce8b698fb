import type { MessageSchema } from '../schema/types.ts';

/**
 * LeaveGroup (API key 13), versions 0–4: members leave a group.
 *
 * v0–v2 carry one `memberId`; v3 (KIP-345) switches to a batch of `members` (member id + static
 * instance id) with a per-member result. v4 is flexible; the v5 `reason` is beyond our range.
 *
 * @example
 * LEAVE_GROUP_SCHEMA.validVersions; // '0-4'
 */
export const LEAVE_GROUP_SCHEMA: MessageSchema = {
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      type: '[]MemberIdentity',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      type: '[]MemberResponse',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'errorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
};
