import { StreamError } from '../common/errors.ts';
import { closestSpelling, editDistance } from '../common/spelling.ts';
import type { CommittedCheckpointContext, ConnectorResolver } from '../engine/connector-resolver.ts';
import type { SinkWriter } from '../engine/sink.ts';
import type { SourceReader } from '../engine/source.ts';
import type { SinkDescriptor, SourceDescriptor } from '../plan/connectors.ts';
import { collectConnector } from './collect/collect-sink.ts';
import type { Connector, ConnectorSide } from './connector.ts';
import { datagenConnector } from './datagen/datagen-source.ts';
import { discardConnector } from './discard/discard-sink.ts';
import { elementsConnector } from './elements/elements-source.ts';
import { fileConnector } from './file/index.ts';
import { functionConnector } from './function/function-sink.ts';
import { iterableConnector } from './iterable/iterable-source.ts';
import { kafkaConnector } from './kafka/index.ts';
import { repartitionConnector } from './kafka/repartition-connector.ts';
import { printConnector } from './print/print-sink.ts';
import { parseConfig } from './shared/config-error.ts';
import { socketConnector } from './socket/socket-source.ts';

/** Every built-in connector. A new connector is added here, by hand. */
export const CONNECTORS: readonly Connector[] = [
  elementsConnector,
  iterableConnector,
  datagenConnector,
  socketConnector,
  fileConnector,
  kafkaConnector,
  repartitionConnector,
  printConnector,
  collectConnector,
  functionConnector,
  discardConnector,
];

type Kind = 'source' | 'sink';

function sideOf(id: string, kind: Kind): ConnectorSide<SourceReader<unknown> | SinkWriter<unknown>> {
  const connector = CONNECTORS.find((c) => c.id === id);
  const side = connector?.[kind];
  if (side !== undefined) return side;
  const ofKind = CONNECTORS.filter((c) => c[kind] !== undefined).map((c) => c.id);
  const list = `${kind} connectors are: ${ofKind.join(', ')}`;
  if (connector !== undefined) {
    const other = kind === 'source' ? 'sink' : 'source';
    throw new StreamError(
      'CON_UNKNOWN_CONNECTOR',
      `connector "${id}" is a ${other}, not a ${kind}; ${list}`,
      {
        details: { connector: id, kind },
      },
    );
  }
  const suggestion = closestSpelling(id, ofKind);
  const close = suggestion !== undefined && editDistance(id.toLowerCase(), suggestion) <= 3;
  const hint = close ? ` (did you mean "${suggestion}"?)` : '';
  throw new StreamError('CON_UNKNOWN_CONNECTOR', `unknown ${kind} connector "${id}"${hint}; ${list}`, {
    details: { connector: id, kind, ...(close ? { suggestion } : {}) },
  });
}

/**
 * The built-in connectors, for the runtime: validates each descriptor's config with its connector's
 * schema and creates the reader or writer.
 *
 * @example
 * const reader = connectorResolver.createSource(elementsSource([1, 2, 3]));
 */
export const connectorResolver: ConnectorResolver = {
  createSource(descriptor: SourceDescriptor<unknown>): SourceReader<unknown> {
    const side = sideOf(descriptor.connector, 'source');
    const config = parseConfig(`${descriptor.connector} source`, side.schema, descriptor.config);
    return side.create(config) as SourceReader<unknown>;
  },
  createSink(descriptor: SinkDescriptor<unknown>): SinkWriter<unknown> {
    const side = sideOf(descriptor.connector, 'sink');
    const config = parseConfig(`${descriptor.connector} sink`, side.schema, descriptor.config);
    return side.create(config) as SinkWriter<unknown>;
  },
  async committedCheckpoint(
    descriptor: SourceDescriptor<unknown>,
    ctx: CommittedCheckpointContext,
  ): Promise<number | undefined> {
    const side = sideOf(descriptor.connector, 'source');
    if (side.committedCheckpoint === undefined) return undefined;
    const config = parseConfig(`${descriptor.connector} source`, side.schema, descriptor.config);
    return side.committedCheckpoint(config, ctx);
  },
};
