import { DESCRIBE_CONFIGS_SCHEMA } from '../../protocol/messages/index.ts';
import { KafkaError } from '../error-codes.ts';
import { type ConfigEntry, ConfigSource } from '../topics/config-view.ts';
import { checkTopicName } from '../topics/topic-rules.ts';
import { defineHandler } from './handler.ts';

interface DescribeConfigsRequest {
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[];
  includeSynonyms: boolean;
}

interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: {
    name: string;
    value: string | null;
    readOnly: boolean;
    isDefault: boolean;
    configSource: number;
    isSensitive: boolean;
    synonyms: { name: string; value: string | null; source: number }[];
  }[];
}

interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

/** Kafka's ConfigResource types. */
const TOPIC = 2;
const BROKER = 4;

/**
 * DescribeConfigs v0–2 for topics (type 2) and this broker (type 4, by its id or "" for the cluster
 * default): every config with its value, source (DYNAMIC_TOPIC_CONFIG for topic overrides,
 * STATIC_BROKER_CONFIG for broker options, DEFAULT_CONFIG otherwise), read-only and sensitive flags, and
 * (v1+, on request) its synonyms. `configurationKeys` narrows the list; unknown keys are left out.
 */
export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  schema: DESCRIBE_CONFIGS_SCHEMA,
  versions: { min: 0, max: 2 },
  handle(request, { apiVersion, broker }) {
    const results = request.resources.map((resource): DescribeConfigsResult => {
      const { resourceType, resourceName } = resource;
      const answer = (
        errorCode: number,
        errorMessage: string | null,
        entries: ConfigEntry[] = [],
      ): DescribeConfigsResult => {
        const keys = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
        const configs = entries
          .filter((e) => keys === null || keys.has(e.name))
          .map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
            configSource: e.source,
            isSensitive: e.isSensitive,
            synonyms: apiVersion >= 1 && request.includeSynonyms ? e.synonyms : [],
          }));
        return { errorCode, errorMessage, resourceType, resourceName, configs };
      };
      if (resourceType === TOPIC) {
        const invalid = checkTopicName(resourceName, []);
        if (invalid !== null) return answer(invalid.errorCode, invalid.errorMessage);
        const entries = broker.topics.describeTopicConfigs(resourceName);
        if (entries === undefined) {
          return answer(KafkaError.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resourceName}' does not exist.`);
        }
        return answer(KafkaError.NONE, null, entries);
      }
      if (resourceType === BROKER) {
        if (resourceName !== '' && resourceName !== String(broker.nodeId)) {
          return answer(
            KafkaError.INVALID_REQUEST,
            `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${resourceName}`,
          );
        }
        const { host, port } = broker.advertised;
        const entries = broker.topics.describeBrokerConfigs({
          nodeId: broker.nodeId,
          dataDir: broker.config.dataDir,
          listener: `PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:${port}`,
          maxRequestBytes: broker.config.maxRequestBytes,
        });
        return answer(KafkaError.NONE, null, entries);
      }
      return answer(KafkaError.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
    });
    return { throttleTimeMs: 0, results };
  },
});
