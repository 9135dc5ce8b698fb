import type { MessageSchema } from '../../protocol/index.ts';
import type { BrokerState } from '../broker-state.ts';
import type { ConnectionInfo } from '../server/connection.ts';

/** What a handler knows about the request besides its body. */
export interface RequestContext {
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly correlationId: number;
  readonly connection: ConnectionInfo;
  readonly broker: BrokerState;
}

/** Returned by a handler when the protocol says no response is sent (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response');

/**
 * One Kafka API. Each handler lives in `handlers/NN-api-name.ts` (NN = API key), declares the versions
 * it serves, and turns a decoded request body into a response body. Kafka errors are response data:
 * a handler returns error codes, it does not throw them. A thrown error closes the client's connection.
 */
export interface ApiHandler<Request = unknown, Response = unknown> {
  readonly schema: MessageSchema;
  /** Versions served; ApiVersions advertises exactly this range. */
  readonly versions: { readonly min: number; readonly max: number };
  handle(
    request: Request,
    context: RequestContext,
  ): Response | typeof NO_RESPONSE | Promise<Response | typeof NO_RESPONSE>;
}

/** Declares a handler with typed request and response bodies; the registry stores it untyped. */
export function defineHandler<Request, Response>(handler: ApiHandler<Request, Response>): ApiHandler {
  return handler as unknown as ApiHandler;
}
