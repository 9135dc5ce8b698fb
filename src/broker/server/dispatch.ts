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
import { type ApiHandler, NO_RESPONSE } from '../handlers/handler.ts';
import type { ConnectionInfo, FrameHandler } from './connection.ts';

const UNSUPPORTED_VERSION = 35;

/**
 * Turns request frames into response frames: picks the handler by API key, checks the version, decodes,
 * runs the handler and encodes its answer.
 *
 * Following Kafka, a request eddy cannot parse (unknown API, unsupported version, malformed bytes)
 * closes that one connection with a log line; the exception is ApiVersions, which answers
 * UNSUPPORTED_VERSION in its v0 format with the supported ranges so the client can retry lower.
 */
export function createDispatcher(
  handlers: readonly ApiHandler[],
  broker: BrokerState,
  log: Logger,
  faults?: FaultInjector,
): FrameHandler {
  const byKey = new Map(handlers.map((h) => [h.schema.apiKey, h]));

  return async (frame: Buffer, connection: ConnectionInfo): Promise<Buffer | null> => {
    const refuse = (reason: string, details: Record<string, unknown> = {}): null => {
      log.warn(
        { connection: connection.id, remote: connection.remote, ...details },
        `closing connection: ${reason}`,
      );
      connection.closeAfterResponse = true;
      return null;
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
        return encodeResponseFrame(API_VERSIONS_SCHEMA, 0, correlationId, {
          errorCode: UNSUPPORTED_VERSION,
          apiKeys: broker.supportedApis,
        });
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

    const context = { apiVersion, clientId: decoded.header.clientId, correlationId, connection, broker };
    const serve = () => handler.handle(decoded.body, context);
    // Test-only faults (startBroker's `faults` option) may drop, delay or replace the answer.
    const result =
      faults === undefined
        ? await serve()
        : await faults.intercept(handler.schema, apiVersion, decoded.body, connection, serve);
    if (result === NO_RESPONSE) return null;
    return encodeResponseFrame(handler.schema, apiVersion, correlationId, result);
  };
}
