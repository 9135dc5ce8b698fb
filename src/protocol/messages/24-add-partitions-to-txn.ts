import type { MessageSchema } from '../schema/types.ts';

/**
 * AddPartitionsToTxn (API key 24), versions 0–3: a transactional producer registers the partitions
 * it is about to write.
 *
 * We stop at v3 on purpose: the spec reserves v4+ (batched, `verifyOnly`) for broker-to-broker use.
 * Field names are the spec's current ones (`v3AndBelow…`), which it gave the client-side fields when
 * v4 arrived; the wire format of v0–v3 is unchanged by that renaming. v3 is flexible.
 *
 * @example
 * ADD_PARTITIONS_TO_TXN_SCHEMA.validVersions; // '0-3'
 */
export const ADD_PARTITIONS_TO_TXN_SCHEMA: MessageSchema = {
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [
    { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    {
      name: 'v3AndBelowTopics',
      type: '[]AddPartitionsToTxnTopic',
      versions: '0-3',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'resultsByTopicV3AndBelow',
      type: '[]AddPartitionsToTxnTopicResult',
      versions: '0-3',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'resultsByPartition',
          type: '[]AddPartitionsToTxnPartitionResult',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};
