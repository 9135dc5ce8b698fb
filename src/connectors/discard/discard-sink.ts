import { z } from 'zod';
import type { SinkWriter } from '../../engine/sink.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { type Connector, sinkSide } from '../connector.ts';

export const discardConfig = z.strictObject({});

/** Drops every element (benchmarks: measures the pipeline, not the output). */
export class DiscardWriter implements SinkWriter<unknown> {
  async open(): Promise<void> {}
  write(): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export const discardConnector: Connector = {
  id: 'discard',
  sink: sinkSide(discardConfig, () => new DiscardWriter()),
};

/**
 * A sink that drops everything.
 *
 * @example
 * env.fromSource(datagenSource({ generate: (i) => i, count: 1e6 })).sinkTo(discardSink());
 */
export function discardSink<T = unknown>(): SinkDescriptor<T> {
  return { connector: 'discard', config: {} };
}
