// Small helpers shared by the transaction handlers (22, 24, 25, 26, 28).

import { isStreamError } from '../../common/errors.ts';
import { KafkaError } from '../error-codes.ts';

/**
 * PRODUCER_FENCED (90) as a client of `apiVersion` understands it: versions before
 * `firstVersionKnowingFenced` (KIP-588) get INVALID_PRODUCER_EPOCH (47), as Kafka answers them.
 *
 * @example fencedForVersion(90, 1, 2); // 47
 */
export function fencedForVersion(
  errorCode: number,
  apiVersion: number,
  firstVersionKnowingFenced: number,
): number {
  return errorCode === KafkaError.PRODUCER_FENCED && apiVersion < firstVersionKnowingFenced
    ? KafkaError.INVALID_PRODUCER_EPOCH
    : errorCode;
}

/**
 * Runs a coordinator call; when the broker is shutting down or its metadata disk failed, answers
 * `unavailable()` (COORDINATOR_NOT_AVAILABLE: the client finds the coordinator again and retries).
 */
export async function coordinatorCall<T>(call: () => Promise<T>, unavailable: () => T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isStreamError(error, 'BRK_STORAGE_CLOSED') && !isStreamError(error, 'BRK_STORAGE_IO')) throw error;
    return unavailable();
  }
}
