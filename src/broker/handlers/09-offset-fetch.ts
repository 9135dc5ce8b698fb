import { OFFSET_FETCH_SCHEMA } from '../../protocol/messages/index.ts';
import type { FetchOffsetsResult } from '../groups/fetch-offsets.ts';
import { defineHandler } from './handler.ts';

type RequestTopics = { name: string; partitionIndexes: number[] }[] | null;

interface OffsetFetchRequest {
  /** v0–7: one group. */
  groupId: string;
  /** v0–7; null (v2+) = every committed offset of the group. */
  topics: RequestTopics;
  /** v8+: several groups. */
  groups: { groupId: string; topics: RequestTopics }[];
  /** v7+. */
  requireStable: boolean;
}

/**
 * OffsetFetch v0–8, including the v8 multi-group form. Nothing committed reads as offset -1. v0–v1 have
 * no group-level error field, so a group-level error is reported on every partition.
 */
export const offsetFetchHandler = defineHandler<OffsetFetchRequest, unknown>({
  schema: OFFSET_FETCH_SCHEMA,
  versions: { min: 0, max: 8 },
  handle(request, { apiVersion, broker }) {
    const requireStable = apiVersion >= 7 && request.requireStable;
    if (apiVersion >= 8) {
      const groups = request.groups.map(({ groupId, topics }) =>
        broker.groups.fetchOffsets({ groupId, topics, requireStable }),
      );
      return { throttleTimeMs: 0, groups };
    }
    const result: FetchOffsetsResult = broker.groups.fetchOffsets({
      groupId: request.groupId,
      topics: apiVersion >= 2 ? request.topics : (request.topics ?? []),
      requireStable,
    });
    if (apiVersion < 2 && result.errorCode !== 0) {
      const errorCode = result.errorCode;
      const topics = (request.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: -1,
          metadata: '',
          errorCode,
        })),
      }));
      return { throttleTimeMs: 0, topics };
    }
    return { throttleTimeMs: 0, topics: result.topics, errorCode: result.errorCode };
  },
});
