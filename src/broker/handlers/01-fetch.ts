import { FETCH_SCHEMA } from '../../protocol/index.ts';
import { KafkaError } from '../error-codes.ts';
import { type FetchPass, type FetchTopic, readPartitions } from '../fetch/read-partitions.ts';
import type { TopicStore } from '../topics/topic-store.ts';
import { defineHandler } from './handler.ts';

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: FetchTopic[];
}

interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchPass['responses'];
}

/** Whether some partition's high watermark moved since the pass read it (data arrived in between). */
function advanced(store: TopicStore, pass: FetchPass): boolean {
  return pass.seen.some((s) => {
    const log = store.partition(s.topic, s.partition);
    return log === undefined || log.highWatermark !== s.highWatermark;
  });
}

/**
 * Fetch v4–12 with long polling: answers as soon as `minBytes` of records are there or a partition has an
 * error, else sleeps until an append to one of the partitions (never polling) or `maxWaitMs`. Only this
 * connection waits; the broker keeps serving others. Fetch sessions are not kept: every answer carries
 * session id 0 ("no session"), which the protocol allows, so clients send full fetches.
 */
export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  schema: FETCH_SCHEMA,
  versions: { min: 4, max: 12 },
  async handle(request, { apiVersion, broker }) {
    if (request.sessionId !== 0) {
      // We never hand out session ids, so any non-zero one is unknown.
      return {
        throttleTimeMs: 0,
        errorCode: KafkaError.FETCH_SESSION_ID_NOT_FOUND,
        sessionId: 0,
        responses: [],
      };
    }
    const store = broker.topics;
    const options = {
      maxBytes: request.maxBytes,
      isolationLevel: request.isolationLevel,
      apiVersion,
      txns: broker.producers.states,
    };
    const deadline = Date.now() + Math.max(request.maxWaitMs, 0);
    let pass = await readPartitions(store, request.topics, options);
    while (!pass.hasError && pass.bytes < request.minBytes) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // Re-read at once if data became readable while the pass was reading; otherwise the waiter,
      // registered synchronously right after this check, cannot miss the next append.
      if (!advanced(store, pass)) {
        const woken = await store.waitForAppend(pass.seen, remaining);
        if (!woken) {
          pass = await readPartitions(store, request.topics, options);
          break;
        }
      }
      pass = await readPartitions(store, request.topics, options);
    }
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, sessionId: 0, responses: pass.responses };
  },
});
