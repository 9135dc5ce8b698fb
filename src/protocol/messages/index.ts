/**
 * The explicit registry of message schemas eddy declares, one per API key. Registries are lists, never
 * folder scans: adding an API means adding its file and one line here.
 */
import { StreamError } from '../../common/errors.ts';
import type { MessageSchema } from '../schema/types.ts';
import { PRODUCE_SCHEMA } from './00-produce.ts';
import { FETCH_SCHEMA } from './01-fetch.ts';
import { LIST_OFFSETS_SCHEMA } from './02-list-offsets.ts';
import { METADATA_SCHEMA } from './03-metadata.ts';
import { OFFSET_COMMIT_SCHEMA } from './08-offset-commit.ts';
import { OFFSET_FETCH_SCHEMA } from './09-offset-fetch.ts';
import { FIND_COORDINATOR_SCHEMA } from './10-find-coordinator.ts';
import { JOIN_GROUP_SCHEMA } from './11-join-group.ts';
import { HEARTBEAT_SCHEMA } from './12-heartbeat.ts';
import { LEAVE_GROUP_SCHEMA } from './13-leave-group.ts';
import { SYNC_GROUP_SCHEMA } from './14-sync-group.ts';
import { DESCRIBE_GROUPS_SCHEMA } from './15-describe-groups.ts';
import { LIST_GROUPS_SCHEMA } from './16-list-groups.ts';
import { API_VERSIONS_SCHEMA } from './18-api-versions.ts';
import { CREATE_TOPICS_SCHEMA } from './19-create-topics.ts';
import { DELETE_TOPICS_SCHEMA } from './20-delete-topics.ts';
import { INIT_PRODUCER_ID_SCHEMA } from './22-init-producer-id.ts';
import { ADD_PARTITIONS_TO_TXN_SCHEMA } from './24-add-partitions-to-txn.ts';
import { ADD_OFFSETS_TO_TXN_SCHEMA } from './25-add-offsets-to-txn.ts';
import { END_TXN_SCHEMA } from './26-end-txn.ts';
import { TXN_OFFSET_COMMIT_SCHEMA } from './28-txn-offset-commit.ts';
import { DESCRIBE_CONFIGS_SCHEMA } from './32-describe-configs.ts';
import { CREATE_PARTITIONS_SCHEMA } from './37-create-partitions.ts';

export { PRODUCE_SCHEMA } from './00-produce.ts';
export { FETCH_SCHEMA } from './01-fetch.ts';
export { LIST_OFFSETS_SCHEMA } from './02-list-offsets.ts';
export { METADATA_SCHEMA } from './03-metadata.ts';
export { OFFSET_COMMIT_SCHEMA } from './08-offset-commit.ts';
export { OFFSET_FETCH_SCHEMA } from './09-offset-fetch.ts';
export { FIND_COORDINATOR_SCHEMA } from './10-find-coordinator.ts';
export { JOIN_GROUP_SCHEMA } from './11-join-group.ts';
export { HEARTBEAT_SCHEMA } from './12-heartbeat.ts';
export { LEAVE_GROUP_SCHEMA } from './13-leave-group.ts';
export { SYNC_GROUP_SCHEMA } from './14-sync-group.ts';
export { DESCRIBE_GROUPS_SCHEMA } from './15-describe-groups.ts';
export { LIST_GROUPS_SCHEMA } from './16-list-groups.ts';
export { API_VERSIONS_SCHEMA } from './18-api-versions.ts';
export { CREATE_TOPICS_SCHEMA } from './19-create-topics.ts';
export { DELETE_TOPICS_SCHEMA } from './20-delete-topics.ts';
export { INIT_PRODUCER_ID_SCHEMA } from './22-init-producer-id.ts';
export { ADD_PARTITIONS_TO_TXN_SCHEMA } from './24-add-partitions-to-txn.ts';
export { ADD_OFFSETS_TO_TXN_SCHEMA } from './25-add-offsets-to-txn.ts';
export { END_TXN_SCHEMA } from './26-end-txn.ts';
export { TXN_OFFSET_COMMIT_SCHEMA } from './28-txn-offset-commit.ts';
export { DESCRIBE_CONFIGS_SCHEMA } from './32-describe-configs.ts';
export { CREATE_PARTITIONS_SCHEMA } from './37-create-partitions.ts';

/**
 * Every declared schema, ordered by API key; every schema listed is covered by the codec's round-trip
 * test.
 */
export const MESSAGE_SCHEMAS: MessageSchema[] = [
  PRODUCE_SCHEMA,
  FETCH_SCHEMA,
  LIST_OFFSETS_SCHEMA,
  METADATA_SCHEMA,
  OFFSET_COMMIT_SCHEMA,
  OFFSET_FETCH_SCHEMA,
  FIND_COORDINATOR_SCHEMA,
  JOIN_GROUP_SCHEMA,
  HEARTBEAT_SCHEMA,
  LEAVE_GROUP_SCHEMA,
  SYNC_GROUP_SCHEMA,
  DESCRIBE_GROUPS_SCHEMA,
  LIST_GROUPS_SCHEMA,
  API_VERSIONS_SCHEMA,
  CREATE_TOPICS_SCHEMA,
  DELETE_TOPICS_SCHEMA,
  INIT_PRODUCER_ID_SCHEMA,
  ADD_PARTITIONS_TO_TXN_SCHEMA,
  ADD_OFFSETS_TO_TXN_SCHEMA,
  END_TXN_SCHEMA,
  TXN_OFFSET_COMMIT_SCHEMA,
  DESCRIBE_CONFIGS_SCHEMA,
  CREATE_PARTITIONS_SCHEMA,
];

const byKey = new Map<number, MessageSchema>();
for (const schema of MESSAGE_SCHEMAS) {
  if (byKey.has(schema.apiKey)) {
    throw new StreamError('BRK_PROTOCOL_SCHEMA_INVALID', `two schemas declare api key ${schema.apiKey}`);
  }
  byKey.set(schema.apiKey, schema);
}

/**
 * The schema of an API key, or undefined if eddy declares none.
 *
 * @example schemaFor(18)?.name // 'ApiVersions'
 */
export function schemaFor(apiKey: number): MessageSchema | undefined {
  return byKey.get(apiKey);
}
