import type { MessageSchema } from '../schema/types.ts';

/**
 * DeleteTopics (API key 20), versions 0–6.
 *
 * v0–v5 name topics in `topicNames`; v6 replaces it with `topics`, each given by name or by id (a
 * null name means "use the id"), and results carry the id too. v4 is flexible; v5 adds a per-topic
 * error message.
 *
 * @example
 * DELETE_TOPICS_SCHEMA.flexibleVersions; // '4+'
 */
export const DELETE_TOPICS_SCHEMA: MessageSchema = {
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: [
    {
      name: 'topics',
      type: '[]DeleteTopicState',
      versions: '6+',
      fields: [
        { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'topicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      type: '[]DeletableTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'topicId', type: 'uuid', versions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ],
    },
  ],
};
