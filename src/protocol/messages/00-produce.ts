/**
 * Produce (key 0), versions 3–7: RecordBatch v2 only (v3+) and never flexible (Kafka's first flexible
 * Produce is v9). Transcribed from ProduceRequest.json and ProduceResponse.json in apache/kafka; fields
 * of v8+ (record errors, error message, current leader, node endpoints) are left out, and version ranges
 * start at 3, the first version served.
 */
import type { MessageSchema } from '../schema/types.ts';

export const PRODUCE_SCHEMA: MessageSchema = {
  apiKey: 0,
  name: 'Produce',
  validVersions: '3-7',
  flexibleVersions: 'none',
  request: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'acks', type: 'int16', versions: '3+' },
    { name: 'timeoutMs', type: 'int32', versions: '3+' },
    {
      name: 'topicData',
      type: '[]TopicProduceData',
      versions: '3+',
      fields: [
        { name: 'name', type: 'string', versions: '3+' },
        {
          name: 'partitionData',
          type: '[]PartitionProduceData',
          versions: '3+',
          fields: [
            { name: 'index', type: 'int32', versions: '3+' },
            { name: 'records', type: 'records', versions: '3+', nullableVersions: '3+' },
          ],
        },
      ],
    },
  ],
  response: [
    {
      name: 'responses',
      type: '[]TopicProduceResponse',
      versions: '3+',
      fields: [
        { name: 'name', type: 'string', versions: '3+' },
        {
          name: 'partitionResponses',
          type: '[]PartitionProduceResponse',
          versions: '3+',
          fields: [
            { name: 'index', type: 'int32', versions: '3+' },
            { name: 'errorCode', type: 'int16', versions: '3+' },
            { name: 'baseOffset', type: 'int64', versions: '3+' },
            { name: 'logAppendTimeMs', type: 'int64', versions: '3+', default: -1 },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
          ],
        },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '3+', default: 0 },
  ],
};
