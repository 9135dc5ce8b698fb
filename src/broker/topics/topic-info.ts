// The view of a topic the handlers get: name, id in both spellings, partition count, overrides.

import type { TopicMetadata } from '../storage/log-manager.ts';

/** A topic as handlers see it. */
export interface TopicInfo {
  name: string;
  /** UUID string, as persisted. */
  topicId: string;
  /** The same id as the 16 bytes the wire carries. */
  topicIdBytes: Buffer;
  partitions: number;
  /** Config overrides by Kafka name. */
  configs: Readonly<Record<string, string>>;
  /** Kafka's internal topics (never created by eddy today, but reported as Kafka would). */
  isInternal: boolean;
}

const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

/**
 * UUID string → the 16 bytes of the wire.
 *
 * @example uuidBytes('00000000-0000-0000-0000-000000000001').at(-1); // 1
 */
export function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** The handler view of stored topic metadata. */
export function topicInfo(meta: TopicMetadata): TopicInfo {
  return {
    name: meta.name,
    topicId: meta.topicId,
    topicIdBytes: uuidBytes(meta.topicId),
    partitions: meta.partitions,
    configs: { ...meta.configs },
    isInternal: INTERNAL_TOPICS.has(meta.name),
  };
}
