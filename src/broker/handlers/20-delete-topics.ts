import { DELETE_TOPICS_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { defineHandler } from './handler.ts';

interface DeleteTopicsRequest {
  /** v6: each topic by name or by id. */
  topics: { name: string | null; topicId: Buffer }[];
  /** v0–5. */
  topicNames: string[];
  timeoutMs: number;
}

interface DeletableTopicResult {
  name: string | null;
  topicId: Buffer;
  errorCode: number;
  errorMessage: string | null;
}

interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: DeletableTopicResult[];
}

const ZERO_UUID: Buffer = Buffer.alloc(16);

/**
 * DeleteTopics v0–6: by name, and from v6 by topic id (a null name). Unknown names get
 * UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID; naming a topic both ways, or neither, is
 * INVALID_REQUEST. Deletion is synchronous: data is gone when the answer leaves.
 */
export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  schema: DELETE_TOPICS_SCHEMA,
  versions: { min: 0, max: 6 },
  async handle(request, { apiVersion, broker }) {
    const store = broker.topics;
    const wanted =
      apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: DeletableTopicResult[] = [];
    const done = new Set<string>();
    for (const { name, topicId } of wanted) {
      const byId = !topicId.equals(ZERO_UUID);
      const answer = (errorCode: number, errorMessage: string | null, id = topicId, topic = name): void => {
        responses.push({ name: topic, topicId: id, errorCode, errorMessage });
      };
      if ((name === null) === !byId) {
        answer(KafkaError.INVALID_REQUEST, 'Name a topic by its name or by its id, not both and not neither');
        continue;
      }
      const info = byId ? store.getById(topicId) : store.get(name as string);
      if (info === undefined) {
        if (byId) answer(KafkaError.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
        else answer(KafkaError.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
        continue;
      }
      if (done.has(info.name)) {
        answer(
          KafkaError.INVALID_REQUEST,
          `Topic ${info.name} is named more than once`,
          info.topicIdBytes,
          info.name,
        );
        continue;
      }
      done.add(info.name);
      const failure = await store.deleteTopic(info.name);
      if (failure !== null) answer(failure.errorCode, failure.errorMessage, info.topicIdBytes, info.name);
      else answer(KafkaError.NONE, null, info.topicIdBytes, info.name);
    }
    return { throttleTimeMs: 0, responses };
  },
});
