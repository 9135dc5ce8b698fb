import { isStreamError } from '../../common/errors.ts';
import type { Logger } from '../../common/logging.ts';
import {
  API_VERSIONS_SCHEMA,
  decodeRequestFrame,
  encodeResponseFrame,
  peekRequestHeader,
} from '../../protocol/index.ts';
import type { BrokerState } from '../broker-state.ts';
import type { FaultInjector } from '../faults/fault-injector.ts';
import { type ApiHandler, isDeferred, NO_RESPONSE } from '../handlers/handler.ts';
import type { ConnectionInfo, FrameHandler, HandledFrame } from './connection.ts';

const UNSUPPORTED_VERSION = 35;

/**
 * Turns request frames into response frames: picks the handler by API key, checks the version, decodes,
 * runs the handler and encodes its answer.
 *
 * Following Kafka, a request eddy cannot parse (unknown API, unsupported version, malformed bytes)
 * closes that one connection with a log line; the exception is ApiVersions, which answers
 * UNSUPPORTED_VERSION in its v0 format with the supported ranges so the client can retry lower.
 *
 * A handler not marked `pipelined` runs only once every earlier response of its connection is written.
 * A pipelined one may answer deferred(): the frame then carries a promise of the encoded response. With
 * fault injection on, a deferred answer is awaited inside the injector, so rules see the final answer.
 */
export function createDispatcher(
  handlers: readonly ApiHandler[],
  broker: BrokerState,
  log: Logger,
  faults?: FaultInjector,
): FrameHandler {
  const byKey = new Map(handlers.map((h) => [h.schema.apiKey, h]));

  return async (frame: Buffer, connection: ConnectionInfo): Promise<HandledFrame> => {
    const refuse = (reason: string, details: Record<string, unknown> = {}): HandledFrame => {
      log.warn(
        { connection: connection.id, remote: connection.remote, ...details },
        `closing connection: ${reason}`,
      );
      connection.closeAfterResponse = true;
      return NOTHING;
    };

    let peek: ReturnType<typeof peekRequestHeader>;
    try {
      peek = peekRequestHeader(frame);
    } catch {
      return refuse('request too short for a header', { bytes: frame.length });
    }
    const { apiKey, apiVersion, correlationId } = peek;
    const handler = byKey.get(apiKey);
    if (!handler) return refuse(`unknown API key ${apiKey}`, { apiKey, apiVersion });
    if (apiVersion < handler.versions.min || apiVersion > handler.versions.max) {
      if (apiKey === API_VERSIONS_SCHEMA.apiKey) {
        const response = encodeResponseFrame(API_VERSIONS_SCHEMA, 0, correlationId, {
          errorCode: UNSUPPORTED_VERSION,
          apiKeys: broker.supportedApis,
        });
        return { response, requestReleased: false };
      }
      return refuse(`${handler.schema.name} v${apiVersion} is not supported`, {
        apiKey,
        apiVersion,
        supported: `${handler.versions.min}-${handler.versions.max}`,
      });
    }

    let decoded: ReturnType<typeof decodeRequestFrame>;
    try {
      decoded = decodeRequestFrame(handler.schema, frame);
    } catch (error) {
      if (!isStreamError(error)) throw error;
      return refuse(`malformed ${handler.schema.name} v${apiVersion} request: ${error.message}`, { apiKey });
    }

    // Requests that are not pipelined see every earlier request of the connection complete, answer
    // included; if the client left meanwhile, they do not run at all.
    if (handler.pipelined !== true && !(await connection.responsesWritten())) return NOTHING;

    const encode = (result: unknown): Buffer | null =>
      result === NO_RESPONSE ? null : encodeResponseFrame(handler.schema, apiVersion, correlationId, result);
    const context = { apiVersion, clientId: decoded.header.clientId, correlationId, connection, broker };
    if (faults !== undefined) {
      // Test-only faults (startBroker's `faults` option) may drop, delay or replace the answer.
      const serve = async () => {
        const result = await handler.handle(decoded.body, context);
        return isDeferred(result) ? result.ready : result;
      };
      const result = await faults.intercept(handler.schema, apiVersion, decoded.body, connection, serve);
      return { response: encode(result), requestReleased: false };
    }
    const result = await handler.handle(decoded.body, context);
    const requestReleased = handler.releasesRequest === true;
    if (!isDeferred(result)) return { response: encode(result), requestReleased };
    if (handler.pipelined !== true) {
      result.ready.catch(() => undefined); // the bug below is what gets reported
      throw new Error(`${handler.schema.name} answered deferred() but is not pipelined`);
    }
    return { response: result.ready.then(encode), requestReleased };
  };
}

const NOTHING: HandledFrame = { response: null, requestReleased: false };
