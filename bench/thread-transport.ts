// `npm run bench -- thread-transport [--batches N]`: data batches between two worker threads over one
// MessagePort pair with credit-based flow control (capacity 8, as the engine's default channel).
// Records are small objects in batches of 1024, of two shapes: numeric readings and clickstream events
// with strings. For each way of encoding a batch it reports records/s through the channel and the busy
// time per record of the sending and of the receiving thread (event-loop utilisation: everything but
// waiting, so it includes serialising in postMessage and deserialising before the message event).
//   clone         postMessage(batch) as it is (structured clone)
//   v8            v8.serialize(values) into a transferred buffer, timestamps as a transferred Float64Array
//   clone-f64     values cloned, timestamps as a transferred Float64Array
//   columns       src/engine/threads/batch-codec.ts (what the engine uses)
//   channel       ChannelOutbox -> ChannelInbox themselves (columns), credits back per half capacity
//   channel-1     the same, one credit back per message read
// The two channel variants run once more with batches of 16 records, where the cost per message (and
// so the way credits return) matters more than the cost per record.
// Results and the decision: docs/internals/thread-exchange.md.

import { deserialize, serialize } from 'node:v8';
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import type { Batch } from '../src/engine/batch.ts';
import type { ChannelMessage } from '../src/engine/messages.ts';
import { BatchEncoder, decodeBatch, type EncodedBatch } from '../src/engine/threads/batch-codec.ts';
import { ChannelInbox, ChannelOutbox } from '../src/engine/threads/thread-channel.ts';
import { benchReport, printReport } from './lib/report.ts';

const ENCODINGS = ['clone', 'v8', 'clone-f64', 'columns', 'channel', 'channel-1'] as const;
type Encoding = (typeof ENCODINGS)[number];
type Shape = 'readings' | 'clicks';
const CAPACITY = 8;
const BATCH = 1024;
const SMALL_BATCH = 16;
const WARMUP = 200;

interface Run {
  readonly role: 'send' | 'receive';
  readonly encoding: Encoding;
  readonly shape: Shape;
  readonly batches: number;
  readonly batchSize: number;
  readonly port: MessagePort;
}
interface Result {
  readonly activeMs: number;
  readonly elapsedMs: number;
}

const PAGES = ['/home', '/cart', '/search', '/about', '/products', '/blog', '/help', '/checkout'];
const ACTIONS = ['view', 'view', 'click', 'scroll'];
function makeBatch(shape: Shape, base: number, size: number): Batch<unknown> {
  const values: unknown[] = [];
  const timestamps: number[] = [];
  for (let i = base; i < base + size; i++) {
    const ts = 1_700_000_000_000 + Math.floor(i / 10);
    values.push(
      shape === 'readings'
        ? { id: i, key: i % 1000, value: i & 1023, ts }
        : { user_id: `u${(i * 7) % 5000}`, page: PAGES[i & 7], action: ACTIONS[i & 3], timestamp: ts },
    );
    timestamps.push(ts);
  }
  return { values, timestamps };
}

/** How each encoding sends a batch and rebuilds it; `channel*` use the classes instead. */
const codecs: Record<
  string,
  { send(port: MessagePort, batch: Batch<unknown>): void; receive(m: never): Batch<unknown> }
> = {
  clone: {
    send: (port, batch) => port.postMessage(batch),
    receive: (m: Batch<unknown>) => m,
  },
  v8: {
    send(port, batch) {
      const bytes = serialize(batch.values);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const timestamps = Float64Array.from(batch.timestamps);
      port.postMessage({ buffer, timestamps }, [buffer, timestamps.buffer]);
    },
    receive: (m: { buffer: ArrayBuffer; timestamps: Float64Array }) => ({
      values: deserialize(new Uint8Array(m.buffer)) as unknown[],
      timestamps: Array.from(m.timestamps),
    }),
  },
  'clone-f64': {
    send(port, batch) {
      const timestamps = Float64Array.from(batch.timestamps);
      port.postMessage({ values: batch.values, timestamps }, [timestamps.buffer]);
    },
    receive: (m: { values: unknown[]; timestamps: Float64Array }) => ({
      values: m.values,
      timestamps: Array.from(m.timestamps),
    }),
  },
  columns: {
    send(port, batch) {
      const { message, transfer } = encoder.encode(batch);
      port.postMessage(message, transfer);
    },
    receive: (m: EncodedBatch) => decodeBatch(m),
  },
};
const encoder = new BatchEncoder();

/** Reads every record, as an operator would, so no encoding gets away with building nothing. */
let checksum = 0;
function consume(batch: Batch<unknown>): void {
  for (const value of batch.values as Record<string, unknown>[])
    checksum += (value.value ?? value.timestamp) as number;
}

async function send(run: Run): Promise<Result> {
  const pool = Array.from({ length: 16 }, (_, i) => makeBatch(run.shape, i * run.batchSize, run.batchSize));
  const total = WARMUP + run.batches;
  let start = performance.eventLoopUtilization();
  if (run.encoding === 'channel' || run.encoding === 'channel-1') {
    const outbox = new ChannelOutbox(run.port, CAPACITY);
    for (let i = 0; i < total; i++) {
      if (i === WARMUP) start = performance.eventLoopUtilization();
      if (!outbox.hasSpace) await outbox.whenSpace();
      outbox.push({ kind: 'data', batch: pool[i & 15] });
    }
  } else {
    const codec = codecs[run.encoding];
    let credits = CAPACITY;
    let wake: (() => void) | undefined;
    run.port.on('message', (returned: number) => {
      credits += returned;
      wake?.();
    });
    for (let i = 0; i < total; i++) {
      if (i === WARMUP) start = performance.eventLoopUtilization();
      while (credits <= 0) await new Promise<void>((resolve) => (wake = resolve));
      codec.send(run.port, pool[i & 15]);
      credits--;
    }
  }
  const used = performance.eventLoopUtilization(start);
  return { activeMs: used.active, elapsedMs: used.active + used.idle };
}

function receive(run: Run): Promise<Result> {
  const total = WARMUP + run.batches;
  let received = 0;
  let start = performance.eventLoopUtilization();
  return new Promise((resolve) => {
    const count = (): void => {
      if (++received === WARMUP) start = performance.eventLoopUtilization();
      if (received === total) {
        const used = performance.eventLoopUtilization(start);
        resolve({ activeMs: used.active, elapsedMs: used.active + used.idle });
      }
    };
    if (run.encoding === 'channel' || run.encoding === 'channel-1') {
      const inbox = new ChannelInbox(
        run.port,
        CAPACITY,
        run.encoding === 'channel-1' ? { creditBatch: 1 } : {},
      );
      inbox.onPush = () => {
        for (let message = inbox.shift(); message !== undefined; message = inbox.shift()) {
          consume((message as Extract<ChannelMessage, { kind: 'data' }>).batch);
          count();
        }
      };
    } else {
      const codec = codecs[run.encoding];
      let read = 0;
      run.port.on('message', (message: unknown) => {
        consume(codec.receive(message as never));
        if (++read === CAPACITY / 2) {
          run.port.postMessage(read);
          read = 0;
        }
        count();
      });
    }
  });
}

async function measure(encoding: Encoding, shape: Shape, batches: number, batchSize: number) {
  const { port1, port2 } = new MessageChannel();
  const start = (role: Run['role'], port: MessagePort) =>
    new Worker(new URL(import.meta.url), {
      workerData: { role, encoding, shape, batches, batchSize, port } satisfies Run,
      transferList: [port],
    });
  const finished = (worker: Worker) =>
    new Promise<Result>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const receiver = start('receive', port2);
  const sender = start('send', port1);
  const [sent, got] = await Promise.all([finished(sender), finished(receiver)]);
  await Promise.all([sender.terminate(), receiver.terminate()]);
  const records = batches * batchSize;
  return {
    recordsPerSec: Math.round(records / (got.elapsedMs / 1000)),
    senderNsPerRecord: Math.round((sent.activeMs * 1e6) / records),
    receiverNsPerRecord: Math.round((got.activeMs * 1e6) / records),
  };
}

if (isMainThread) {
  const argIndex = process.argv.indexOf('--batches');
  const batches = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 2000;
  const metrics: Record<string, number> = {};
  const lines: string[] = [];
  const runs: [Shape, Encoding, number, string][] = [];
  for (const shape of ['readings', 'clicks'] as const)
    for (const encoding of ENCODINGS) runs.push([shape, encoding, BATCH, `${shape}.${encoding}`]);
  for (const encoding of ['clone', 'columns', 'channel', 'channel-1'] as const)
    runs.push(['readings', encoding, SMALL_BATCH, `readings-${SMALL_BATCH}.${encoding}`]);
  for (const [shape, encoding, batchSize, label] of runs) {
    // Small batches: as many messages per run, so the run is about as long as the others in messages.
    const result = await measure(encoding, shape, batchSize === BATCH ? batches : batches * 8, batchSize);
    for (const [name, value] of Object.entries(result)) metrics[`${label}.${name}`] = value;
    lines.push(
      `${label}: ${(result.recordsPerSec / 1e6).toFixed(2)} M rec/s, ` +
        `send ${result.senderNsPerRecord} ns, receive ${result.receiverNsPerRecord} ns per record`,
    );
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  const best = (shape: Shape) => (metrics[`${shape}.channel.recordsPerSec`] / 1e6).toFixed(1);
  printReport(
    benchReport('thread-transport', { ...metrics, batchSize: BATCH, capacity: CAPACITY }),
    `thread-transport: channel ${best('readings')} M readings/s, ${best('clicks')} M clicks/s`,
  );
} else {
  const run = workerData as Run;
  const result = await (run.role === 'send' ? send(run) : receive(run));
  parentPort!.postMessage({ ...result, checksum: checksum % 7 });
}
