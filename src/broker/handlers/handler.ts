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

const DEFERRED: unique symbol = Symbol('deferred response');

/**
 * A response whose handler has done its ordered work (e.g. Produce's append, in request order) and
 * which becomes ready later (e.g. after the fsync group commit). The connection starts its next request
 * meanwhile and still writes responses in request order. A deferred answer cannot close the connection:
 * a handler decides that (`closeAfterResponse`) before it returns.
 */
export interface Deferred<Response> {
  readonly [DEFERRED]: true;
  readonly ready: Promise<Response | typeof NO_RESPONSE>;
}

/**
 * Wraps the rest of a handler's answer. Only handlers marked `pipelined` may return it.
 *
 * @example
 * await appendInOrder(request);           // ordered work, before returning
 * return deferred(flushed.then(() => response));
 */
export function deferred<Response>(ready: Promise<Response | typeof NO_RESPONSE>): Deferred<Response> {
  return { [DEFERRED]: true, ready };
}

/** Whether a handler's result is a deferred response. */
export function isDeferred(result: unknown): result is Deferred<unknown> {
  return typeof result === 'object' && result !== null && DEFERRED in result;
}

/**
 * One Kafka API. Each handler lives in `handlers/NN-api-name.ts` (NN = API key), declares the versions
 * it serves, and turns a decoded request body into a response body. Kafka errors are response data:
 * a handler returns error codes, it does not throw them. A thrown error closes the client's connection.
 */
export interface ApiHandler<Request = unknown, Response = unknown> {
  readonly schema: MessageSchema;
  /** Versions served; ApiVersions advertises exactly this range. */
  readonly versions: { readonly min: number; readonly max: number };
  /**
   * The request may run while earlier responses of its connection still wait, and may return
   * deferred(). Without it a request first waits until every earlier response is written, so it sees
   * their effects complete, and then holds its connection until it is answered (Fetch long polls,
   * JoinGroup), as Kafka's one-request-at-a-time connections do.
   */
  readonly pipelined?: boolean;
  /**
   * Nothing refers to the request's bytes once handle() has settled (the handler wrote or copied what
   * it keeps), so the connection may reuse the frame's memory. Never set it for a handler that stores
   * decoded `bytes` fields (views into the frame), e.g. group protocol metadata.
   */
  readonly releasesRequest?: boolean;
  handle(
    request: Request,
    context: RequestContext,
  ): HandlerResult<Response> | Promise<HandlerResult<Response>>;
}

/** What handle() may return: a response body, NO_RESPONSE, or (pipelined handlers) a deferred one. */
export type HandlerResult<Response> = Response | typeof NO_RESPONSE | Deferred<Response>;

/** Declares a handler with typed request and response bodies; the registry stores it untyped. */
export function defineHandler<Request, Response>(handler: ApiHandler<Request, Response>): ApiHandler {
  return handler as unknown as ApiHandler;
}
