/**
 * ListOffsets (key 2), versions 1–5, never flexible here (Kafka's first flexible ListOffsets is v6).
 * Transcribed from ListOffsetsRequest.json and ListOffsetsResponse.json in apache/kafka, with ranges
 * clipped to the versions served: v0's MaxNumOffsets and OldStyleOffsets and v10's TimeoutMs are out.
 */
import type { MessageSchema } from '../schema/types.ts';

export const LIST_OFFSETS_SCHEMA: MessageSchema = {
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: '1-5',
  flexibleVersions: 'none',
  request: [
    { name: 'replicaId', type: 'int32', versions: '1+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
    {
      name: 'topics',
      type: '[]ListOffsetsTopic',
      versions: '1+',
      fields: [
        { name: 'name', type: 'string', versions: '1+' },
        {
          name: 'partitions',
          type: '[]ListOffsetsPartition',
          versions: '1+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '1+' },
            { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
            { name: 'timestamp', type: 'int64', versions: '1+' },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      type: '[]ListOffsetsTopicResponse',
      versions: '1+',
      fields: [
        { name: 'name', type: 'string', versions: '1+' },
        {
          name: 'partitions',
          type: '[]ListOffsetsPartitionResponse',
          versions: '1+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '1+' },
            { name: 'errorCode', type: 'int16', versions: '1+' },
            { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
            { name: 'offset', type: 'int64', versions: '1+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
          ],
        },
      ],
    },
  ],
};
