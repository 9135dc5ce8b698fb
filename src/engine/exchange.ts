import type { KeySelector } from '../plan/functions.ts';
import { keyGroupOf, subtaskForKeyGroup } from '../state/key-groups.ts';
import type { Batch } from './batch.ts';
import type { ChannelWriter } from './channel.ts';
import type { ExchangeMode } from './graph/physical-graph.ts';
import type { ChannelMessage } from './messages.ts';
import { userFunctionFailed } from './user-function-error.ts';

/**
 * The sending side of one edge in one upstream subtask: splits each batch over the downstream
 * subtasks' channels, one sub-batch per target. Watermarks, idleness and end go to every channel.
 */
export interface Exchange {
  readonly channels: readonly ChannelWriter[];
  send(batch: Batch<unknown>): void;
  broadcast(message: ChannelMessage): void;
}

export interface ExchangeOptions {
  readonly mode: ExchangeMode;
  /** Indexed by downstream subtask; undefined where this upstream subtask never sends. */
  readonly targets: readonly (ChannelWriter | undefined)[];
  readonly key?: KeySelector<unknown, unknown>;
  readonly maxParallelism: number;
  /** Named in errors when the key selector throws. */
  readonly operatorName: string;
}

/**
 * @example
 * const exchange = createExchange({ mode: 'broadcast', targets: [a, b], maxParallelism: 128, operatorName: 'x' });
 * exchange.send(batchOf([1, 2])); // both channels get the same batch
 */
export function createExchange(options: ExchangeOptions): Exchange {
  const channels = options.targets.filter((channel) => channel !== undefined);
  const broadcast = (message: ChannelMessage): void => {
    for (const channel of channels) channel.push(message);
  };
  const single = (batch: Batch<unknown>): void => channels[0].push({ kind: 'data', batch });
  switch (options.mode) {
    case 'forward':
    case 'global':
      return { channels, broadcast, send: single };
    case 'broadcast':
      return { channels, broadcast, send: (batch) => broadcast({ kind: 'data', batch }) };
    case 'rebalance':
      return { channels, broadcast, send: channels.length === 1 ? single : rebalancer(channels) };
    case 'keyed':
      return { channels, broadcast, send: channels.length === 1 ? single : keyedSender(options) };
  }
}

/**
 * Splits a batch into contiguous, nearly equal slices, rotating which targets get the larger slices so
 * every target receives the same share over time. Slicing copies arrays in bulk, with no per-record work.
 */
function rebalancer(channels: readonly ChannelWriter[]): (batch: Batch<unknown>) => void {
  let start = 0;
  const count = channels.length;
  return (batch) => {
    const size = batch.values.length;
    const base = Math.floor(size / count);
    const extra = size % count;
    let offset = 0;
    for (let step = 0; step < count; step++) {
      const target = (start + step) % count;
      const length = base + (step < extra ? 1 : 0);
      if (length === 0) continue;
      const end = offset + length;
      channels[target].push({
        kind: 'data',
        batch: { values: batch.values.slice(offset, end), timestamps: batch.timestamps.slice(offset, end) },
      });
      offset = end;
    }
    start = (start + extra) % count;
  };
}

function keyedSender(options: ExchangeOptions): (batch: Batch<unknown>) => void {
  const { targets, maxParallelism, operatorName } = options;
  const key = options.key!;
  const parallelism = targets.length;
  return (batch) => {
    const values: unknown[][] = [];
    const timestamps: number[][] = [];
    for (let t = 0; t < parallelism; t++) {
      values.push([]);
      timestamps.push([]);
    }
    const input = batch.values;
    for (let i = 0; i < input.length; i++) {
      let k: unknown;
      try {
        k = key(input[i]);
      } catch (cause) {
        throw userFunctionFailed(`${operatorName} (key selector)`, input[i], cause);
      }
      const target = subtaskForKeyGroup(keyGroupOf(k, maxParallelism), maxParallelism, parallelism);
      values[target].push(input[i]);
      timestamps[target].push(batch.timestamps[i]);
    }
    for (let t = 0; t < parallelism; t++) {
      if (values[t].length > 0)
        targets[t]!.push({ kind: 'data', batch: { values: values[t], timestamps: timestamps[t] } });
    }
  };
}
