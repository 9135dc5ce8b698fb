import type { MessageSchema } from '../schema/types.ts';

/**
 * InitProducerId (API key 22), versions 0–4: allocate a producer id/epoch for an idempotent or
 * transactional producer.
 *
 * v2 is flexible; v3 lets a producer send its current id/epoch to bump the epoch after an abortable
 * error instead of starting over; v4 only adds the PRODUCER_FENCED error code.
 *
 * @example
 * INIT_PRODUCER_ID_SCHEMA.flexibleVersions; // '2+'
 */
export const INIT_PRODUCER_ID_SCHEMA: MessageSchema = {
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
};
