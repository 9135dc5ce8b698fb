// Pieces of the broker fuzz test that are not about making frames: a logger that remembers which
// connections were closed with a log line, the check of one dispatcher outcome, and a raw socket that
// survives being hung up on.

import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import type { Logger } from '../../src/common/logging.ts';
import {
  decodeRequestFrame,
  decodeResponseBody,
  decodeResponseHeader,
  MESSAGE_SCHEMAS,
  PRODUCE_SCHEMA,
  peekRequestHeader,
  Reader,
  responseHeaderVersion,
} from '../../src/protocol/index.ts';
import type { FuzzMemory, ServedApi } from './fuzz-cases.ts';

/** A broker logger at `warn` that records the ids of connections closed with a log line, and errors. */
export interface CapturingLogger {
  logger: Logger;
  closeLogged: Set<number>;
  /** Every "closing connection" line, including those of real sockets. */
  closeLines: number;
  errors: string[];
}

/** Creates a CapturingLogger; error lines mean a handler threw, which is a broker bug. */
export function capturingLogger(): CapturingLogger {
  const closeLogged = new Set<number>();
  const errors: string[] = [];
  const stream = {
    write(line: string): void {
      if (line.includes('"msg":"closing connection')) {
        capture.closeLines++;
        const id = /"connection":(\d+)/.exec(line);
        if (id !== null) closeLogged.add(Number(id[1]));
      }
      if (/"level":(50|60)/.test(line)) errors.push(line.slice(0, 2000));
    },
  };
  const capture: CapturingLogger = {
    logger: pino({ level: 'warn' }, stream),
    closeLogged,
    closeLines: 0,
    errors,
  };
  return capture;
}

/** Counts of outcomes per kind of case, printed as a table. */
export class Tally {
  private readonly counts = new Map<string, Map<string, number>>();

  add(kind: string, outcome: string): void {
    const m = this.counts.get(kind) ?? new Map<string, number>();
    m.set(outcome, (m.get(outcome) ?? 0) + 1);
    this.counts.set(kind, m);
  }

  get(kind: string, outcome: string): number {
    return this.counts.get(kind)?.get(outcome) ?? 0;
  }

  print(title: string): void {
    const outcomes = [...new Set([...this.counts.values()].flatMap((m) => [...m.keys()]))].sort();
    const lines = [`${title}`, `  ${'kind'.padEnd(16)}${outcomes.map((o) => o.padStart(13)).join('')}`];
    for (const [kind, m] of [...this.counts].sort()) {
      lines.push(`  ${kind.padEnd(16)}${outcomes.map((o) => String(m.get(o) ?? 0).padStart(13)).join('')}`);
    }
    console.log(lines.join('\n'));
  }
}

/** How the dispatcher treated one frame. */
export type Outcome = 'response' | 'closed' | 'no-response';

/**
 * Checks what the dispatcher did with `frame` and names the outcome, or throws saying what was wrong:
 * a response must be a whole frame that decodes with our codec and echoes the correlation id; no
 * response needs either a close (with a log line) or a Produce with acks=0.
 */
export function checkOutcome(
  frame: Buffer,
  result: Buffer | null,
  closeAfterResponse: boolean,
  closeLogged: boolean,
  served: readonly ServedApi[],
  memory: FuzzMemory,
): Outcome {
  if (result === null) {
    if (closeAfterResponse) {
      if (!closeLogged && !isAcksZeroProduce(frame)) throw new Error('connection closed without a log line');
      return 'closed';
    }
    if (!isAcksZeroProduce(frame)) throw new Error('no response, but the connection stays open');
    return 'no-response';
  }
  if (closeAfterResponse) throw new Error('a response and a close for the same request');
  const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame);
  const api = served.find((s) => s.apiKey === apiKey);
  const schema = MESSAGE_SCHEMAS.find((s) => s.apiKey === apiKey);
  if (api === undefined || schema === undefined) throw new Error(`answered unknown api key ${apiKey}`);
  const inRange = apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
  // Only ApiVersions answers a version it does not serve, in its v0 format.
  if (!inRange && apiKey !== 18) throw new Error(`answered unsupported ${schema.name} v${apiVersion}`);
  const version = inRange ? apiVersion : 0;
  if (result.length < 4 || result.readInt32BE(0) !== result.length - 4) throw new Error('bad size prefix');
  const r = new Reader(result.subarray(4));
  const header = decodeResponseHeader(r, responseHeaderVersion(schema, version));
  const body = decodeResponseBody<Record<string, unknown>>(schema, version, r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the ${schema.name} response`);
  if (header.correlationId !== correlationId) {
    throw new Error(`correlation id ${header.correlationId} answered for ${correlationId}`);
  }
  if (apiKey === 11 && typeof body.memberId === 'string' && body.memberId !== '') {
    if (memory.members.length >= 32) memory.members.shift();
    memory.members.push(body.memberId);
  }
  return 'response';
}

function isAcksZeroProduce(frame: Buffer): boolean {
  try {
    if (peekRequestHeader(frame).apiKey !== PRODUCE_SCHEMA.apiKey) return false;
    return decodeRequestFrame<{ acks: number }>(PRODUCE_SCHEMA, frame).body.acks === 0;
  } catch {
    return false;
  }
}

/**
 * A client socket for throwing frames at the broker: counts response frames, notices when the broker
 * hangs up, and checks each answer carries a correlation id that was sent on this connection.
 */
export class RawConnection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private readonly sent = new Set<number>();
  responses = 0;
  strayAnswers = 0;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 8 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        if (!this.sent.has(this.buffered.readInt32BE(4))) this.strayAnswers++;
        this.buffered = this.buffered.subarray(4 + this.buffered.readInt32BE(0));
        this.responses++;
        this.wake?.();
      }
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  /** Connects to the broker. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * Writes bytes; `correlationIds` are those of the frames inside, which answers may echo. Bytes are cut
   * at `cuts`, yielding between pieces so they arrive as separate chunks.
   */
  async write(bytes: Buffer, correlationIds: readonly number[], cuts: readonly number[] = []): Promise<void> {
    for (const id of correlationIds) this.sent.add(id);
    let from = 0;
    for (const cut of [...cuts].sort((a, b) => a - b).concat(bytes.length)) {
      if (cut <= from) continue;
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      this.socket.write(bytes.subarray(from, cut));
      from = cut;
    }
  }

  /** Resolves once `responses` reaches `count`, the broker hangs up, or `timeoutMs` passes. */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.closed || this.responses >= count) {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, timeoutMs);
      this.wake = done;
      done();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
