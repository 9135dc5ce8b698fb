import type { MessageSchema } from '../schema/types.ts';

/**
 * AddOffsetsToTxn (API key 25), versions 0–1: a transactional producer announces that it will commit
 * offsets for `groupId` inside the transaction (followed by TxnOffsetCommit to the group coordinator).
 * The first flexible version (3) is beyond our range.
 *
 * @example
 * ADD_OFFSETS_TO_TXN_SCHEMA.flexibleVersions; // 'none'
 */
export const ADD_OFFSETS_TO_TXN_SCHEMA: MessageSchema = {
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  validVersions: '0-1',
  flexibleVersions: 'none',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
};
