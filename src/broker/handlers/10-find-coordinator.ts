import { FIND_COORDINATOR_SCHEMA } from '../../protocol/messages/index.ts';
import type { BrokerState } from '../broker-state.ts';
import { KafkaError } from '../error-codes.ts';
import { defineHandler } from './handler.ts';

interface FindCoordinatorRequest {
  /** v0–3. */
  key: string;
  /** v1+: 0 = group, 1 = transaction. */
  keyType: number;
  /** v4+ (KIP-699): several keys at once. */
  coordinatorKeys: string[];
}

interface Coordinator {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

const GROUP_KEY = 0;
const TRANSACTION_KEY = 1;

function coordinatorFor(keyType: number, broker: BrokerState): Coordinator {
  if (keyType !== GROUP_KEY && keyType !== TRANSACTION_KEY) {
    return {
      errorCode: KafkaError.INVALID_REQUEST,
      errorMessage: `Unknown coordinator key type ${keyType}`,
      nodeId: -1,
      host: '',
      port: -1,
    };
  }
  // A single broker coordinates every group and every transactional id.
  return { errorCode: KafkaError.NONE, errorMessage: null, nodeId: broker.nodeId, ...broker.advertised };
}

/**
 * FindCoordinator v0–4: this broker, for groups (key type 0) and transactions (1). v4 answers a batch of
 * keys, one entry each.
 */
export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, unknown>({
  schema: FIND_COORDINATOR_SCHEMA,
  versions: { min: 0, max: 4 },
  handle(request, { apiVersion, broker }) {
    if (apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        coordinators: request.coordinatorKeys.map((key) => ({
          key,
          ...coordinatorFor(request.keyType, broker),
        })),
      };
    }
    return { throttleTimeMs: 0, ...coordinatorFor(request.keyType, broker) };
  },
});
