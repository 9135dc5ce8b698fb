import type { MessageSchema } from '../schema/types.ts';

/**
 * EndTxn (API key 26), versions 0–3: commit or abort the producer's open transaction. v2 adds only the
 * PRODUCER_FENCED error code, v3 is flexible; the v5 epoch-bumping response is beyond our range.
 *
 * @example
 * END_TXN_SCHEMA.request.map((f) => f.name); // [..., 'committed']
 */
export const END_TXN_SCHEMA: MessageSchema = {
  apiKey: 26,
  name: 'EndTxn',
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
};
