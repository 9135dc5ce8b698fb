// The checks of a CreateTopics entry that are about the request rather than the topic: replication
// factor, explicit replica assignments, config entries given twice.

import { KafkaError } from '../error-codes.ts';
import type { Failure } from './topic-rules.ts';

/** A CreatableTopic of the request. */
export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

/** What to create: the partition count (-1 for the broker default) and the configs by name. */
export interface CreatePlan {
  partitions: number;
  configs: Record<string, string | null>;
}

/**
 * Turns a request entry into a plan or a Kafka error. A single broker can hold one replica: a
 * replication factor other than 1 (or -1, the default) is INVALID_REPLICATION_FACTOR. -1 is accepted in
 * every version, as Kafka brokers do since KIP-464: kafkajs sends it with CreateTopics v3. Explicit
 * assignments are accepted when they are consistent: partitions 0..n-1, each on this broker only.
 */
export function planCreate(topic: CreatableTopic, nodeId: number): CreatePlan | Failure {
  const hasAssignments = topic.assignments.length > 0;
  if (hasAssignments && (topic.numPartitions !== -1 || topic.replicationFactor !== -1)) {
    return {
      errorCode: KafkaError.INVALID_REQUEST,
      errorMessage:
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
    };
  }
  const configs: Record<string, string | null> = {};
  for (const { name, value } of topic.configs) {
    if (name in configs)
      return { errorCode: KafkaError.INVALID_CONFIG, errorMessage: `Config ${name} is given more than once` };
    configs[name] = value;
  }
  if (hasAssignments) {
    const sorted = [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
    for (let i = 0; i < sorted.length; i++) {
      const { partitionIndex, brokerIds } = sorted[i];
      if (partitionIndex !== i) {
        return {
          errorCode: KafkaError.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: 'Partitions should be a consecutive 0-based integer sequence',
        };
      }
      if (brokerIds.length !== 1 || brokerIds[0] !== nodeId) {
        return {
          errorCode: KafkaError.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: `Partition ${partitionIndex} must be assigned to broker ${nodeId} only, not [${brokerIds.join(', ')}]`,
        };
      }
    }
    return { partitions: sorted.length, configs };
  }
  const rf = topic.replicationFactor;
  if (rf === 0 || rf < -1) {
    return {
      errorCode: KafkaError.INVALID_REPLICATION_FACTOR,
      errorMessage: 'Replication factor must be larger than 0.',
    };
  }
  if (rf > 1) {
    return {
      errorCode: KafkaError.INVALID_REPLICATION_FACTOR,
      errorMessage: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
    };
  }
  const n = topic.numPartitions;
  if (n === 0 || n < -1) {
    return {
      errorCode: KafkaError.INVALID_PARTITIONS,
      errorMessage: 'Number of partitions must be larger than 0.',
    };
  }
  return { partitions: n, configs };
}
