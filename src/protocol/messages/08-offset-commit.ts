import type { MessageSchema } from '../schema/types.ts';

/**
 * OffsetCommit (API key 8), versions 0–8: a group member stores consumed positions.
 *
 * v1 carries generation/member and a per-partition commit timestamp; v2–v4 replace that timestamp with
 * a request-wide retention time; v5 drops retention; v6 adds the leader epoch; v7 the static member id.
 * v9 (KIP-848 consumer protocol) is out of our range, but the field keeps the spec's current name
 * `generationIdOrMemberEpoch` so the declaration can be diffed against the JSON.
 *
 * @example
 * const { request } = OFFSET_COMMIT_SCHEMA; // fields of OffsetCommitRequest
 */
export const OFFSET_COMMIT_SCHEMA: MessageSchema = {
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: '0-8',
  flexibleVersions: '8+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+' },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
    {
      name: 'topics',
      type: '[]OffsetCommitRequestTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]OffsetCommitRequestPartition',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'committedOffset', type: 'int64', versions: '0+' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
            // Only v1 sends a per-partition timestamp; v2+ moved to retentionTimeMs above.
            { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
            { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'topics',
      type: '[]OffsetCommitResponseTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]OffsetCommitResponsePartition',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};
