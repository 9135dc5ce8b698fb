import type { MessageSchema } from '../schema/types.ts';

/**
 * FindCoordinator (API key 10), versions 0–4: which broker coordinates a group or a transaction.
 *
 * v0–v3 look up a single `key` and answer with one node; v4 (KIP-699) batches: `coordinatorKeys` in,
 * one `coordinators` entry per key out, each with its own error. `keyType` (v1+) is 0 = group,
 * 1 = transaction. v3 is the first flexible version.
 *
 * @example
 * FIND_COORDINATOR_SCHEMA.validVersions; // '0-4'
 */
export const FIND_COORDINATOR_SCHEMA: MessageSchema = {
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      type: '[]Coordinator',
      versions: '4+',
      fields: [
        { name: 'key', type: 'string', versions: '4+' },
        { name: 'nodeId', type: 'int32', versions: '4+' },
        { name: 'host', type: 'string', versions: '4+' },
        { name: 'port', type: 'int32', versions: '4+' },
        { name: 'errorCode', type: 'int16', versions: '4+' },
        { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
};
