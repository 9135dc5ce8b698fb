import type { SinkDescriptor, SourceDescriptor } from '../plan/connectors.ts';
import type { SinkWriter } from './sink.ts';
import type { SourceReader } from './source.ts';

/**
 * The engine knows connectors only through this; src/connectors/registry.ts implements it with the
 * explicit list of connectors. Unknown connector ids and invalid configs throw a StreamError (CON_).
 */
export interface ConnectorResolver {
  createSource(descriptor: SourceDescriptor<unknown>): SourceReader<unknown>;
  createSink(descriptor: SinkDescriptor<unknown>): SinkWriter<unknown>;
}
