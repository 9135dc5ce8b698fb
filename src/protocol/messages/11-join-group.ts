import type { MessageSchema } from '../schema/types.ts';

/**
 * JoinGroup (API key 11), versions 0–6: a member joins (or rejoins) a classic consumer group.
 *
 * The wire format barely changes across versions; the behaviour does. From v4 (KIP-394) a join with
 * an empty `memberId` is answered with MEMBER_ID_REQUIRED and an assigned id, and the client joins
 * again with it. v5 (KIP-345) adds `groupInstanceId` for static members, v6 is the first flexible
 * version. The v7 response `protocolType` and nullable `protocolName` are beyond our range.
 *
 * @example
 * JOIN_GROUP_SCHEMA.flexibleVersions; // '6+'
 */
export const JOIN_GROUP_SCHEMA: MessageSchema = {
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: '0-6',
  flexibleVersions: '6+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
    // Absent in v0; the handler should then fall back to sessionTimeoutMs (the -1 is a placeholder).
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolType', type: 'string', versions: '0+' },
    {
      name: 'protocols',
      type: '[]JoinGroupRequestProtocol',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
    { name: 'protocolName', type: 'string', versions: '0+' },
    { name: 'leader', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    {
      name: 'members',
      type: '[]JoinGroupResponseMember',
      versions: '0+',
      fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
};
