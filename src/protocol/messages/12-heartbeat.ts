import type { MessageSchema } from '../schema/types.ts';

/**
 * Heartbeat (API key 12), versions 0–4: a group member says it is alive; the error code tells it to
 * rejoin (REBALANCE_IN_PROGRESS) or that it was fenced. v3 adds `groupInstanceId`, v4 is flexible.
 *
 * @example
 * HEARTBEAT_SCHEMA.response.map((f) => f.name); // ['throttleTimeMs', 'errorCode']
 */
export const HEARTBEAT_SCHEMA: MessageSchema = {
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
};
