import type { MessageSchema } from '../schema/types.ts';

/**
 * ListGroups (API key 16), versions 0–4: every group the broker coordinates.
 *
 * v3 is the first flexible version; v4 (KIP-518) adds a state filter and each group's state. The v5
 * type filter is beyond our range.
 *
 * @example
 * LIST_GROUPS_SCHEMA.flexibleVersions; // '3+'
 */
export const LIST_GROUPS_SCHEMA: MessageSchema = {
  apiKey: 16,
  name: 'ListGroups',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [{ name: 'statesFilter', type: '[]string', versions: '4+' }],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      type: '[]ListedGroup',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '4+' },
      ],
    },
  ],
};
