import type { MessageSchema } from '../schema/types.ts';

/**
 * CreatePartitions (API key 37), versions 0–3.
 *
 * Raises the partition count of existing topics. v1 only changes when quota throttling is applied, v2
 * is flexible, v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599); the fields are the same throughout.
 * A null `assignments` lets the broker place the new partitions; otherwise it lists one replica set per
 * new partition, in partition order.
 *
 * @example
 * CREATE_PARTITIONS_SCHEMA.flexibleVersions; // '2+'
 */
export const CREATE_PARTITIONS_SCHEMA: MessageSchema = {
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'topics',
      type: '[]CreatePartitionsTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'count', type: 'int32', versions: '0+' },
        {
          name: 'assignments',
          type: '[]CreatePartitionsAssignment',
          versions: '0+',
          nullableVersions: '0+',
          default: null,
          fields: [{ name: 'brokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]CreatePartitionsTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
};
