/**
 * Fetch (key 1), versions 4–12, flexible from 12. Transcribed from FetchRequest.json and
 * FetchResponse.json in apache/kafka, with ranges clipped to the versions served: topic names (not ids,
 * which start at v13), fetch sessions (v7+), rack id (v11+), aborted transactions (v4+) and the
 * preferred read replica (v11+). Fetch is capped at 12 so clients never switch to topic ids.
 */
import type { MessageSchema } from '../schema/types.ts';

export const FETCH_SCHEMA: MessageSchema = {
  apiKey: 1,
  name: 'Fetch',
  validVersions: '4-12',
  flexibleVersions: '12+',
  request: [
    {
      name: 'clusterId',
      type: 'string',
      versions: '12+',
      nullableVersions: '12+',
      taggedVersions: '12+',
      tag: 0,
      default: null,
    },
    { name: 'replicaId', type: 'int32', versions: '4+', default: -1 },
    { name: 'maxWaitMs', type: 'int32', versions: '4+' },
    { name: 'minBytes', type: 'int32', versions: '4+' },
    { name: 'maxBytes', type: 'int32', versions: '4+', default: 0x7fffffff },
    { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
    {
      name: 'topics',
      type: '[]FetchTopic',
      versions: '4+',
      fields: [
        { name: 'topic', type: 'string', versions: '4+' },
        {
          name: 'partitions',
          type: '[]FetchPartition',
          versions: '4+',
          fields: [
            { name: 'partition', type: 'int32', versions: '4+' },
            { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
            { name: 'fetchOffset', type: 'int64', versions: '4+' },
            { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1 },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
            { name: 'partitionMaxBytes', type: 'int32', versions: '4+' },
          ],
        },
      ],
    },
    {
      name: 'forgottenTopicsData',
      type: '[]ForgottenTopic',
      versions: '7+',
      fields: [
        { name: 'topic', type: 'string', versions: '7+' },
        { name: 'partitions', type: '[]int32', versions: '7+' },
      ],
    },
    { name: 'rackId', type: 'string', versions: '11+', default: '' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '4+' },
    { name: 'errorCode', type: 'int16', versions: '7+' },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    {
      name: 'responses',
      type: '[]FetchableTopicResponse',
      versions: '4+',
      fields: [
        { name: 'topic', type: 'string', versions: '4+' },
        {
          name: 'partitions',
          type: '[]PartitionData',
          versions: '4+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '4+' },
            { name: 'errorCode', type: 'int16', versions: '4+' },
            { name: 'highWatermark', type: 'int64', versions: '4+' },
            { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1 },
            { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
            {
              name: 'divergingEpoch',
              type: 'EpochEndOffset',
              versions: '12+',
              taggedVersions: '12+',
              tag: 0,
              fields: [
                { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
              ],
            },
            {
              name: 'currentLeader',
              type: 'LeaderIdAndEpoch',
              versions: '12+',
              taggedVersions: '12+',
              tag: 1,
              fields: [
                { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
                { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
              ],
            },
            {
              name: 'snapshotId',
              type: 'SnapshotId',
              versions: '12+',
              taggedVersions: '12+',
              tag: 2,
              fields: [
                { name: 'endOffset', type: 'int64', versions: '4+', default: -1 },
                { name: 'epoch', type: 'int32', versions: '4+', default: -1 },
              ],
            },
            {
              name: 'abortedTransactions',
              type: '[]AbortedTransaction',
              versions: '4+',
              nullableVersions: '4+',
              fields: [
                { name: 'producerId', type: 'int64', versions: '4+' },
                { name: 'firstOffset', type: 'int64', versions: '4+' },
              ],
            },
            { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
            { name: 'records', type: 'records', versions: '4+', nullableVersions: '4+' },
          ],
        },
      ],
    },
  ],
};
