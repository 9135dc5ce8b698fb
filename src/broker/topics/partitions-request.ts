// The check of a CreatePartitions entry that is about the request rather than the topic: explicit replica
// sets for the new partitions, which on a single broker can only name that broker, once.

import { KafkaError } from '../error-codes.ts';
import type { Failure } from './topic-rules.ts';

/** A CreatePartitionsTopic of the request: the new total and, optionally, where each new partition goes. */
export interface NewPartitions {
  name: string;
  count: number;
  /** One replica set per new partition in partition order; null lets the broker place them. */
  assignments: { brokerIds: number[] }[] | null;
}

/**
 * Checks the explicit assignments of a topic growing from `current` to `request.count` partitions
 * (call it only when the count is an increase). Like Kafka, a list must hold exactly one entry per new
 * partition; each entry must be a replica set this cluster can host, and here that is `[nodeId]` alone,
 * since every existing partition has one replica on this broker. Null (no list) is always accepted.
 *
 * @example
 * checkNewAssignments({ name: 't', count: 3, assignments: [{ brokerIds: [1] }] }, 2, 1); // null
 */
export function checkNewAssignments(request: NewPartitions, current: number, nodeId: number): Failure | null {
  const { assignments } = request;
  if (assignments === null) return null;
  const added = request.count - current;
  if (assignments.length !== added) {
    return invalid(
      `Topic ${request.name} grows from ${current} to ${request.count} partitions, so give ${added} replica assignment(s), one per new partition, not ${assignments.length}; or give none.`,
    );
  }
  for (const [i, { brokerIds }] of assignments.entries()) {
    const partition = current + i;
    if (brokerIds.length === 0) {
      return invalid(
        `The assignment of new partition ${partition} lists no broker; assign it to broker ${nodeId}.`,
      );
    }
    const stranger = brokerIds.find((id) => id !== nodeId);
    if (stranger !== undefined) {
      return invalid(
        `The assignment of new partition ${partition} names broker ${stranger}, which does not exist; the only broker is ${nodeId}.`,
      );
    }
    if (brokerIds.length > 1) {
      return invalid(
        `The assignment of new partition ${partition} names broker ${nodeId} ${brokerIds.length} times; partitions of this topic have 1 replica, so list it once.`,
      );
    }
  }
  return null;
}

function invalid(errorMessage: string): Failure {
  return { errorCode: KafkaError.INVALID_REPLICA_ASSIGNMENT, errorMessage };
}
