import { findErrorBy } from '@platformatic/kafka';

/**
 * Questions about errors of the Kafka client library, so callers can turn them into their own errors
 * without knowing how the library nests them.
 */

/** The fetch position is outside the partition's log (deleted by retention, or past its end). */
export function isOffsetOutOfRange(error: unknown): boolean {
  return error instanceof Error && findErrorBy(error, 'apiId', 'OFFSET_OUT_OF_RANGE') !== null;
}

/** The topic named by the client's "Unknown topic <name>." error, if that is what this is. */
export function unknownTopicOf(error: unknown): string | undefined {
  const match = error instanceof Error ? /^Unknown topic (.+)\.$/.exec(error.message) : null;
  return match?.[1];
}

/** No broker answered: refused or dropped connections, or timeouts. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    findErrorBy(error, 'code', 'PLT_KFK_NETWORK') !== null ||
    findErrorBy(error, 'code', 'PLT_KFK_TIMEOUT') !== null
  );
}
