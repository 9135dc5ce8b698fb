import { CREATE_PARTITIONS_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { checkNewAssignments, type NewPartitions } from '../topics/partitions-request.ts';
import { defineHandler } from './handler.ts';

interface CreatePartitionsRequest {
  topics: NewPartitions[];
  /** Accepted and unused: partitions exist on disk and in Metadata before the answer leaves. */
  timeoutMs: number;
  validateOnly: boolean;
}

interface CreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsTopicResult[];
}

/**
 * CreatePartitions v0–3: raises each topic's partition count, with one result per topic. A count that
 * is not an increase is INVALID_PARTITIONS, an unknown topic UNKNOWN_TOPIC_OR_PARTITION, explicit
 * assignments this single broker cannot host INVALID_REPLICA_ASSIGNMENT. A topic named twice gets one
 * INVALID_REQUEST result and is left alone. With validateOnly every check runs and nothing changes.
 * New partitions are empty, and Produce, Fetch and Metadata see them as soon as the answer is sent.
 */
export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  schema: CREATE_PARTITIONS_SCHEMA,
  versions: { min: 0, max: 3 },
  async handle(request, { broker }) {
    const store = broker.topics;
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreatePartitionsTopicResult[] = [];
    const answer = (name: string, errorCode: number, errorMessage: string | null): void => {
      results.push({ name, errorCode, errorMessage });
    };
    const duplicatesAnswered = new Set<string>();
    for (const topic of request.topics) {
      if ((counts.get(topic.name) ?? 0) > 1) {
        if (!duplicatesAnswered.has(topic.name)) {
          answer(
            topic.name,
            KafkaError.INVALID_REQUEST,
            `Topic ${topic.name} is named more than once in this request; name each topic once.`,
          );
        }
        duplicatesAnswered.add(topic.name);
        continue;
      }
      // Assignments only matter for a real increase; the store answers the other cases.
      const current = store.get(topic.name)?.partitions;
      if (current !== undefined && topic.count > current) {
        const bad = checkNewAssignments(topic, current, broker.nodeId);
        if (bad !== null) {
          answer(topic.name, bad.errorCode, bad.errorMessage);
          continue;
        }
      }
      const outcome = await store.addPartitions(topic.name, topic.count, {
        validateOnly: request.validateOnly,
      });
      if ('errorCode' in outcome) answer(topic.name, outcome.errorCode, outcome.errorMessage);
      else answer(topic.name, KafkaError.NONE, null);
    }
    return { throttleTimeMs: 0, results };
  },
});
