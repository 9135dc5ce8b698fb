import type { MessageSchema } from '../schema/types.ts';

/**
 * DescribeConfigs (API key 32), versions 0–2: current values of topic or broker configs.
 *
 * v0 reports `isDefault`; v1 replaces it with `configSource` and can list `synonyms` (the same key
 * set at other levels, in precedence order); v2 only changes throttling behaviour. v3 (documentation,
 * config type) and the first flexible version (4) are beyond our range.
 *
 * @example
 * DESCRIBE_CONFIGS_SCHEMA.apiKey; // 32
 */
export const DESCRIBE_CONFIGS_SCHEMA: MessageSchema = {
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: '0-2',
  flexibleVersions: 'none',
  request: [
    {
      name: 'resources',
      type: '[]DescribeConfigsResource',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'configurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]DescribeConfigsResult',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: '[]DescribeConfigsResourceResult',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'readOnly', type: 'bool', versions: '0+' },
            { name: 'isDefault', type: 'bool', versions: '0' },
            // For v0 requests the right source depends on the resource (e.g. 4 for a broker); -1 is
            // only the spec's placeholder.
            { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
            { name: 'isSensitive', type: 'bool', versions: '0+' },
            {
              name: 'synonyms',
              type: '[]DescribeConfigsSynonym',
              versions: '1+',
              fields: [
                { name: 'name', type: 'string', versions: '1+' },
                // The spec says nullableVersions '0+', but the struct only exists from v1.
                { name: 'value', type: 'string', versions: '1+', nullableVersions: '1+' },
                { name: 'source', type: 'int8', versions: '1+' },
              ],
            },
          ],
        },
      ],
    },
  ],
};
