import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { StreamError } from '../../common/errors.ts';
import type { SourceChunk, SourceContext, SourceReader } from '../../engine/source.ts';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { type Connector, sourceSide } from '../connector.ts';
import { chunkOf } from '../shared/chunk.ts';
import { parseConfig } from '../shared/config-error.ts';
import { nonEmpty } from '../shared/schemas.ts';
import { sleep, Wakeup } from '../shared/wakeup.ts';

export const socketConfig = z.strictObject({
  host: nonEmpty,
  port: z.number().int().min(1).max(65_535),
  delimiter: nonEmpty.optional(),
  reconnect: z.boolean().optional(),
});

export type SocketTextOptions = z.input<typeof socketConfig>;

/** Lines buffered before the socket is paused (TCP backpressure reaches the sender). */
const PAUSE_AT_LINES = 10_000;
const RECONNECT_DELAY_MS = 500;

/**
 * Reads delimited text lines from a TCP server, on subtask 0 only (like Flink's socketTextStream). The
 * split ends when the server closes the connection, unless `reconnect` is set.
 */
export class SocketTextReader implements SourceReader<string> {
  private readonly host: string;
  private readonly port: number;
  private readonly delimiter: string;
  private readonly reconnect: boolean;
  private readonly wakeup = new Wakeup();
  /** Aborted by close(), so a pending reconnect delay ends at once. */
  private readonly stopped = new AbortController();
  private ctx: SourceContext | undefined;
  private socket: Socket | undefined;
  private lines: string[] = [];
  private text = '';
  private decoder = new StringDecoder('utf8');
  private failure: StreamError | undefined;
  private inputEnded = false;
  private finished = false;
  private closed = false;

  constructor(config: z.output<typeof socketConfig>) {
    this.host = config.host;
    this.port = config.port;
    this.delimiter = config.delimiter ?? '\n';
    this.reconnect = config.reconnect ?? false;
  }

  get split(): string {
    return `socket-${this.host}:${this.port}`;
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    if (ctx.subtaskIndex !== 0) {
      this.inputEnded = true;
      return;
    }
    try {
      this.attach(await this.connectOnce());
    } catch (error) {
      if (!this.reconnect) throw error;
      this.reconnectLater();
    }
  }

  async poll(maxWaitMs: number): Promise<SourceChunk<string>[] | null> {
    const ctx = this.ctx;
    if (ctx === undefined) throw new Error('SocketTextReader.poll() called before open()');
    if (this.finished) return null;
    if (this.lines.length === 0 && !this.inputEnded && this.failure === undefined) {
      await this.wakeup.wait(maxWaitMs, ctx.signal);
    }
    if (this.failure !== undefined) throw this.failure;
    const values = this.lines.splice(0, ctx.batchSize);
    if (this.lines.length < PAUSE_AT_LINES / 2 && this.socket?.isPaused()) this.socket.resume();
    if (this.inputEnded && this.lines.length === 0) {
      this.finished = true;
      return [chunkOf(this.split, values, { ended: true })];
    }
    return values.length === 0 ? [] : [chunkOf(this.split, values)];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.finished = true;
    this.stopped.abort();
    this.socket?.destroy();
    this.socket = undefined;
    this.wakeup.notify();
  }

  private connectOnce(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      const onError = (error: Error) => {
        socket.destroy();
        reject(this.socketError('cannot connect to', error));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  private attach(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.decoder = new StringDecoder('utf8');
    socket.on('data', (data: Buffer) => {
      this.text += this.decoder.write(data);
      this.takeLines();
      if (this.lines.length >= PAUSE_AT_LINES) socket.pause();
      this.wakeup.notify();
    });
    socket.on('error', (error) => {
      if (!this.reconnect && !this.closed) this.failure = this.socketError('lost the connection to', error);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // Like Flink, what follows the last delimiter still counts as a line when the connection ends.
      this.text += this.decoder.end();
      if (this.text !== '') this.lines.push(this.trimCarriageReturn(this.text));
      this.text = '';
      if (this.reconnect && !this.closed) this.reconnectLater();
      else this.inputEnded = true;
      this.wakeup.notify();
    });
  }

  private takeLines(): void {
    let from = 0;
    for (let at = this.text.indexOf(this.delimiter); at >= 0; at = this.text.indexOf(this.delimiter, from)) {
      this.lines.push(this.trimCarriageReturn(this.text.slice(from, at)));
      from = at + this.delimiter.length;
    }
    this.text = this.text.slice(from);
  }

  private trimCarriageReturn(line: string): string {
    return this.delimiter === '\n' && line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  private reconnectLater(): void {
    const attempt = async () => {
      while (!this.closed) {
        const signals = [this.stopped.signal, ...(this.ctx === undefined ? [] : [this.ctx.signal])];
        await sleep(RECONNECT_DELAY_MS, AbortSignal.any(signals));
        if (this.closed || this.ctx?.signal.aborted) return;
        try {
          this.attach(await this.connectOnce());
          return;
        } catch {
          // Keep trying: reconnect means the server may come and go.
        }
      }
    };
    attempt().catch(() => undefined);
  }

  private socketError(what: string, cause: Error): StreamError {
    return new StreamError(
      'CON_SOCKET_FAILED',
      `socket source ${what} ${this.host}:${this.port}: ${cause.message}. Check that a server listens ` +
        'there (e.g. `nc -lk <port>`), or set reconnect: true to wait for it.',
      { cause, details: { host: this.host, port: this.port } },
    );
  }
}

export const socketConnector: Connector = {
  id: 'socket',
  source: sourceSide(socketConfig, (config) => new SocketTextReader(config)),
};

/**
 * An unbounded source of text lines read from a TCP server (ends when the server closes the connection,
 * unless `reconnect` is set).
 *
 * @example
 * env.fromSource(socketTextSource({ host: 'localhost', port: 9999 }));
 */
export function socketTextSource(options: SocketTextOptions): SourceDescriptor<string> {
  const config = { ...options };
  parseConfig('socket source', socketConfig, config);
  return { connector: 'socket', config, bounded: false };
}
