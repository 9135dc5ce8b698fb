import type { Socket } from 'node:net';
import type { Logger } from '../../common/logging.ts';
import { FrameReader, FrameTooLarge } from './frame-reader.ts';

/** What the connection needs from the request layer: a whole response frame (size prefix included), or null for none (acks=0). */
export type FrameHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer | null>;

export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  /** Set by the request layer to make the connection close after the current response. */
  closeAfterResponse: boolean;
}

/**
 * Serves one client socket. Requests are handled one at a time, in arrival order, so responses leave in
 * the order the requests came (the protocol's guarantee); clients that pipeline simply queue here.
 * Reading pauses while too many frames wait, which pushes back on a client that outruns the broker.
 */
export class Connection {
  private readonly socket: Socket;
  private readonly frames: FrameReader;
  private readonly handle: FrameHandler;
  private readonly log: Logger;
  private readonly queue: Buffer[] = [];
  private running = false;
  private closed = false;
  readonly info: ConnectionInfo;

  constructor(socket: Socket, id: number, handle: FrameHandler, maxFrameBytes: number, log: Logger) {
    this.socket = socket;
    this.handle = handle;
    this.frames = new FrameReader(maxFrameBytes);
    this.info = { id, remote: `${socket.remoteAddress}:${socket.remotePort}`, closeAfterResponse: false };
    this.log = log.child({ connection: id, remote: this.info.remote });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return; // closing: nothing more from this client is read or run
    let frames: Buffer[];
    try {
      frames = this.frames.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLarge)) throw error;
      this.log.warn({ size: error.size }, `closing connection: ${error.message}`);
      this.destroy();
      return;
    }
    this.queue.push(...frames);
    if (this.queue.length > 64) this.socket.pause();
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.closed) {
      const frame = this.queue.shift()!;
      if (this.queue.length <= 16) this.socket.resume();
      let response: Buffer | null;
      try {
        response = await this.handle(frame, this.info);
      } catch (error) {
        // The request layer turns every client mistake into a wire error or a deliberate close; anything
        // reaching here is a broker bug. Close this connection only; other clients keep working.
        this.log.error({ err: error }, 'closing connection after an unexpected error');
        this.destroy();
        break;
      }
      if (response !== null && !this.closed) this.write(response);
      if (this.info.closeAfterResponse) {
        // Requests queued behind the one that closed the connection are dropped, as Kafka drops them:
        // running them would act (append records, join groups) for a client that gets no answer and
        // retries elsewhere. The socket closes fully once the last response is flushed.
        this.closed = true;
        this.queue.length = 0;
        this.socket.end(() => this.socket.destroy());
        break;
      }
    }
    this.running = false;
  }

  private write(frame: Buffer): void {
    this.socket.write(frame);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
