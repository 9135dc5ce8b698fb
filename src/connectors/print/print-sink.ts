import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import type { Batch } from '../../engine/batch.ts';
import type { SinkContext, SinkWriter } from '../../engine/sink.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { type Connector, sinkSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';

export const printConfig = z.strictObject({
  prefix: z.string().optional(),
  target: z.enum(['stdout', 'stderr']).optional(),
});

export type PrintOptions = z.input<typeof printConfig>;

/**
 * Prints one line per element: strings as they are, anything else as JSON. Like Flink, lines start with
 * `prefix> `, and with parallelism > 1 with the subtask number: `3> ` or `prefix:3> `.
 */
export class PrintWriter implements SinkWriter<unknown> {
  private readonly prefix: string | undefined;
  private readonly out: Writable;
  private lead = '';

  /** `out` overrides the target stream (tests). */
  constructor(config: PrintOptions, out?: Writable) {
    this.prefix = config.prefix;
    this.out = out ?? (config.target === 'stderr' ? process.stderr : process.stdout);
  }

  async open(ctx: SinkContext): Promise<void> {
    const subtask = ctx.parallelism > 1 ? String(ctx.subtaskIndex + 1) : undefined;
    const label = [this.prefix, subtask].filter((part) => part !== undefined && part !== '').join(':');
    this.lead = label === '' ? '' : `${label}> `;
  }

  async write(batch: Batch<unknown>): Promise<void> {
    if (batch.values.length === 0) return;
    let text = '';
    for (const value of batch.values) text += `${this.lead}${render(value)}\n`;
    // Waiting for 'drain' passes a slow terminal or pipe back to the job as backpressure.
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

/** A string as is, anything else as JSON (String() where JSON cannot represent it). */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export const printConnector: Connector = {
  id: 'print',
  sink: sinkSide(printConfig, (config) => new PrintWriter(config)),
};

/**
 * Prints every element to stdout (or stderr), one line each.
 *
 * @example
 * counts.sinkTo(printSink({ prefix: 'counts' })); // counts> {"word":"a","n":3}
 */
export function printSink<T>(options: PrintOptions = {}): SinkDescriptor<T> {
  const config = { ...options };
  parseConfig('print sink', printConfig, config);
  return { connector: 'print', config };
}
