/**
 * Produce (key 0), versions 0–7, never flexible (Kafka's first flexible Produce is v9). Transcribed from
 * ProduceRequest.json and ProduceResponse.json in apache/kafka; fields of v8+ (record errors, error
 * message, current leader, node endpoints) are left out.
 *
 * v0–2 are declared although eddy stores RecordBatch v2 only: librdkafka up to 2.11 compresses with
 * gzip, snappy or lz4 only when the broker advertises Produce v0 (it asks whether Produce is served
 * somewhere in 0..0 before compressing), so advertising 0–7 is what gets compressed batches from it.
 * No client in scope sends v0–2 when v7 is offered.
 */
import type { MessageSchema } from '../schema/types.ts';

export const PRODUCE_SCHEMA: MessageSchema = {
  apiKey: 0,
  name: 'Produce',
  validVersions: '0-7',
  flexibleVersions: 'none',
  request: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'acks', type: 'int16', versions: '0+' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'topicData',
      type: '[]TopicProduceData',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitionData',
          type: '[]PartitionProduceData',
          versions: '0+',
          fields: [
            { name: 'index', type: 'int32', versions: '0+' },
            { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    {
      name: 'responses',
      type: '[]TopicProduceResponse',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitionResponses',
          type: '[]PartitionProduceResponse',
          versions: '0+',
          fields: [
            { name: 'index', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'baseOffset', type: 'int64', versions: '0+' },
            { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
          ],
        },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
  ],
};
