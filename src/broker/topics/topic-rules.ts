// Kafka's rules for topic names and topic config sets, answered as Kafka error codes with messages.

import { isStreamError } from '../../common/errors.ts';
import { KafkaError } from '../error-codes.ts';
import { validateTopicName } from '../storage/topic-metadata.ts';
import { checkTopicConfig } from './topic-configs.ts';

/** A Kafka error code with the message Kafka would send along (v1+ of the admin APIs carry it). */
export interface Failure {
  errorCode: number;
  errorMessage: string;
}

/** Tells a failure from a result of a check that can fail. */
export function isFailure(value: object): value is Failure {
  return (
    typeof (value as Partial<Failure>).errorCode === 'number' &&
    typeof (value as Partial<Failure>).errorMessage === 'string'
  );
}

/**
 * INVALID_TOPIC_EXCEPTION for a name Kafka refuses (empty, over 249 characters, `.`/`..`, characters
 * outside [a-zA-Z0-9._-]) or one that collides with an existing topic once `.` and `_` are confused, as
 * Kafka's metric names do.
 */
export function checkTopicName(name: string, existing: Iterable<string>): Failure | null {
  try {
    validateTopicName(name);
  } catch (error) {
    if (!isStreamError(error, 'BRK_TOPIC_INVALID')) throw error;
    return { errorCode: KafkaError.INVALID_TOPIC_EXCEPTION, errorMessage: error.message };
  }
  const folded = name.replaceAll('.', '_');
  for (const other of existing) {
    if (other !== name && other.replaceAll('.', '_') === folded) {
      return {
        errorCode: KafkaError.INVALID_TOPIC_EXCEPTION,
        errorMessage: `Topic '${name}' collides with existing topic: ${other}`,
      };
    }
  }
  return null;
}

/** Checks every config of a create request; INVALID_CONFIG names the first bad key. */
export function checkTopicConfigs(configs: Record<string, string | null>): Record<string, string> | Failure {
  const checked: Record<string, string> = {};
  for (const [name, raw] of Object.entries(configs)) {
    const result = checkTopicConfig(name, raw);
    if ('error' in result) return { errorCode: KafkaError.INVALID_CONFIG, errorMessage: result.error };
    checked[name] = result.value;
  }
  return checked;
}

/**
 * Overrides as storage takes them. Storage keeps offsets and times as JavaScript numbers, so limits past
 * 2^53 - 1 (Kafka tools like Long.MAX_VALUE for "never") are stored as 2^53 - 1, which means the same;
 * and retention.bytes below -1 (Kafka allows any negative) is stored as -1.
 */
export function storageOverrides(configs: Record<string, string>): Record<string, string> {
  const out = { ...configs };
  for (const name of ['segment.ms', 'retention.ms', 'retention.bytes']) {
    const value = out[name];
    if (value === undefined) continue;
    const n = BigInt(value);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) out[name] = String(Number.MAX_SAFE_INTEGER);
    else if (name === 'retention.bytes' && n < -1n) out[name] = '-1';
  }
  return out;
}
