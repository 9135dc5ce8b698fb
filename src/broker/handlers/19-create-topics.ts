import { CREATE_TOPICS_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { type CreatableTopic, planCreate } from '../topics/create-request.ts';
import type { Failure } from '../topics/topic-rules.ts';
import { defineHandler } from './handler.ts';

interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

interface CreatableTopicResult {
  name: string;
  topicId: Buffer;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
  configs:
    | { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }[]
    | null;
}

interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: CreatableTopicResult[];
}

const ZERO_UUID: Buffer = Buffer.alloc(16);

function failed(name: string, failure: Failure): CreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode: failure.errorCode,
    errorMessage: failure.errorMessage,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}

/**
 * CreateTopics v0–7: numPartitions and replicationFactor -1 mean the broker defaults; the only
 * replication factor a single node offers is 1. With validateOnly every check runs and nothing is
 * created. v5+ answers carry the topic's partitions, replication factor and every config.
 */
export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  schema: CREATE_TOPICS_SCHEMA,
  versions: { min: 0, max: 7 },
  async handle(request, { broker, clientId }) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreatableTopicResult[] = [];
    // One at a time, so two topics of one request that collide are caught like any other collision.
    for (const topic of request.topics) {
      if ((counts.get(topic.name) ?? 0) > 1) {
        results.push(
          failed(topic.name, {
            errorCode: KafkaError.INVALID_REQUEST,
            errorMessage: `Create topics request from client \`${clientId ?? ''}\` contains multiple entries for the following topics: ${topic.name}`,
          }),
        );
        continue;
      }
      const plan = planCreate(topic, broker.nodeId);
      if ('errorCode' in plan) {
        results.push(failed(topic.name, plan));
        continue;
      }
      const outcome = await broker.topics.createTopic(topic.name, {
        partitions: plan.partitions,
        configs: plan.configs,
        validateOnly: request.validateOnly,
      });
      if ('errorCode' in outcome) {
        results.push(failed(topic.name, outcome));
        continue;
      }
      const created = outcome.topic;
      results.push({
        name: created.name,
        topicId: created.topicIdBytes,
        errorCode: KafkaError.NONE,
        errorMessage: null,
        numPartitions: created.partitions,
        replicationFactor: 1,
        configs: broker.topics.configEntries(created.configs).map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: c.source,
          isSensitive: c.isSensitive,
        })),
      });
    }
    return { throttleTimeMs: 0, topics: results };
  },
});
