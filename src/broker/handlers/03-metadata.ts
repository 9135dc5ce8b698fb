import { METADATA_SCHEMA } from '../../protocol/index.ts';
import { KafkaError } from '../error-codes.ts';
import { LEADER_EPOCH } from '../produce/produce-partition.ts';
import type { TopicInfo } from '../topics/topic-store.ts';
import { defineHandler } from './handler.ts';

interface MetadataRequest {
  topics: { topicId: Buffer; name: string | null }[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

interface MetadataTopic {
  errorCode: number;
  name: string | null;
  topicId: Buffer;
  isInternal: boolean;
  partitions: {
    errorCode: number;
    partitionIndex: number;
    leaderId: number;
    leaderEpoch: number;
    replicaNodes: number[];
    isrNodes: number[];
    offlineReplicas: number[];
  }[];
  topicAuthorizedOperations: number;
}

interface MetadataResponse {
  throttleTimeMs: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
  clusterAuthorizedOperations: number;
}

const ZERO_UUID: Buffer = Buffer.alloc(16);
/** "Not requested" for the authorized-operations fields (Kafka's Integer.MIN_VALUE). */
const NOT_REQUESTED = -2147483648;
/** eddy has no ACLs, so every operation is allowed: bit n set = AclOperation code n. */
const bits = (...codes: number[]): number => codes.reduce((sum, code) => sum | (1 << code), 0);
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const TOPIC_OPERATIONS = bits(3, 4, 5, 6, 7, 8, 10, 11);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, tokens. */
const CLUSTER_OPERATIONS = bits(5, 7, 8, 9, 10, 11, 12, 13, 14);

/**
 * Metadata v0–12. Topics listed: all of them for v0's empty list and v1+'s null, none for v1+'s empty
 * list. Missing topics are created when the broker allows it and (v4+) the request does; they are
 * answered with their partitions at once, since creation is synchronous here. One broker, leader and
 * only replica of every partition.
 */
export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  schema: METADATA_SCHEMA,
  versions: { min: 0, max: 12 },
  async handle(request, { apiVersion, broker }) {
    const store = broker.topics;
    const ops = request.includeTopicAuthorizedOperations ? TOPIC_OPERATIONS : NOT_REQUESTED;
    const describe = (info: TopicInfo): MetadataTopic => ({
      errorCode: KafkaError.NONE,
      name: info.name,
      topicId: info.topicIdBytes,
      isInternal: info.isInternal,
      partitions: Array.from({ length: info.partitions }, (_, partitionIndex) => ({
        errorCode: KafkaError.NONE,
        partitionIndex,
        leaderId: broker.nodeId,
        leaderEpoch: LEADER_EPOCH,
        replicaNodes: [broker.nodeId],
        isrNodes: [broker.nodeId],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: ops,
    });
    const failed = (errorCode: number, name: string | null, topicId: Buffer = ZERO_UUID): MetadataTopic => ({
      errorCode,
      name: name ?? (apiVersion >= 12 ? null : ''),
      topicId,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: ops,
    });

    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    let topics: MetadataTopic[];
    if (all) {
      topics = store.list().map(describe);
    } else {
      const allowCreate = apiVersion < 4 || request.allowAutoTopicCreation;
      const seen = new Set<string>();
      topics = [];
      for (const wanted of request.topics ?? []) {
        if (wanted.name === null) {
          const info = store.getById(wanted.topicId);
          topics.push(
            info === undefined ? failed(KafkaError.UNKNOWN_TOPIC_ID, null, wanted.topicId) : describe(info),
          );
          continue;
        }
        if (seen.has(wanted.name)) continue;
        seen.add(wanted.name);
        const found = await store.ensureTopic(wanted.name, allowCreate);
        topics.push('topic' in found ? describe(found.topic) : failed(found.errorCode, wanted.name));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [
        { nodeId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: null },
      ],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? CLUSTER_OPERATIONS
        : NOT_REQUESTED,
    };
  },
});
