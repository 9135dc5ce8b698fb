// Response bodies that answer a request with one error code everywhere, for fault injection: Produce and
// Fetch per partition, and any API with a top-level errorCode in that version.

import { inRange, type MessageSchema } from '../../protocol/index.ts';

interface ProduceBody {
  topicData: { name: string; partitionData: { index: number }[] }[];
}

interface FetchBody {
  topics: { topic: string; partitions: { partition: number }[] }[];
}

/** Whether errorResponse can build an answer for this API and version. */
export function canAnswerWithError(schema: MessageSchema, apiVersion: number): boolean {
  if (schema.apiKey === 0 || schema.apiKey === 1) return true;
  const field = schema.response.find((f) => f.name === 'errorCode');
  return field !== undefined && inRange(field.versions, apiVersion);
}

/**
 * A response body carrying `errorCode` for every partition (Produce, Fetch) or at the top level. Fields
 * left out are encoded with their defaults. Call canAnswerWithError first.
 *
 * @example errorResponse(PRODUCE_SCHEMA, request, 6); // every partition NOT_LEADER_OR_FOLLOWER
 */
export function errorResponse(schema: MessageSchema, request: unknown, errorCode: number): unknown {
  if (schema.apiKey === 0) {
    return {
      throttleTimeMs: 0,
      responses: (request as ProduceBody).topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => ({
          index: p.index,
          errorCode,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
        })),
      })),
    };
  }
  if (schema.apiKey === 1) {
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: (request as FetchBody).topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          records: null,
        })),
      })),
    };
  }
  return { throttleTimeMs: 0, errorCode };
}

/** Topic names a request names (Produce, Fetch, ListOffsets, Metadata, ...), for topic-scoped rules. */
export function requestTopics(request: unknown): string[] {
  type Named = { name?: unknown; topic?: unknown } | null;
  const body = request as { topicData?: Named[]; topics?: Named[] | null };
  const names: string[] = [];
  for (const t of body.topicData ?? body.topics ?? []) {
    const name = t?.name ?? t?.topic;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}
