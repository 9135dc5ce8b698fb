import type { Socket } from 'node:net';
import type { Logger } from '../../common/logging.ts';
import type { FramePool } from './frame-pool.ts';
import { FrameReader, FrameTooLarge } from './frame-reader.ts';

/** What the request layer made of one frame. */
export interface HandledFrame {
  /**
   * The response frame (size prefix included), null for none, or a promise of it when the request did
   * its ordered work and answers later (a deferred response, e.g. Produce waiting for its fdatasync).
   */
  readonly response: Buffer | null | Promise<Buffer | null>;
  /** Nothing refers to the request's bytes any more: the frame's memory may be reused. */
  readonly requestReleased: boolean;
}

/** The request layer: turns a request frame into a HandledFrame. Rejecting means a broker bug. */
export type FrameHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<HandledFrame>;

export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  /** Set by the request layer to make the connection close after the current response. */
  closeAfterResponse: boolean;
  /**
   * Resolves true once every earlier request's response has been written, false if the connection closed
   * first. A request that must see earlier requests complete (all but pipelined ones) waits on it.
   */
  responsesWritten(): Promise<boolean>;
}

/** Tuning of a Connection (defaults suit the broker). */
export interface ConnectionOptions {
  /** Responses that may wait at once (deferred ones, and those queued behind them). */
  maxPendingResponses?: number;
  /** Where frames spanning socket reads are assembled (default: the process-wide pool). */
  framePool?: FramePool;
}

/** One response slot, in request order. */
interface Slot {
  ready: boolean;
  response: Buffer | null;
  /** Close the connection once this slot is reached (after writing its response, if any). */
  close: boolean;
  /** Its request failed unexpectedly: drop the connection once this slot is reached. */
  failed: boolean;
}

const PAUSE_ABOVE_FRAMES = 64;
const RESUME_AT_FRAMES = 16;
const DEFAULT_MAX_PENDING = 32;

/**
 * Serves one client socket. Requests are *processed* one at a time, in arrival order: a request starts
 * once the previous one's handler returned. A pipelined handler (Produce) may return after its ordered
 * work with a response that is ready later; the next request then starts while that response waits,
 * and responses are still written strictly in request order (the protocol's guarantee). Other handlers
 * first wait until every earlier response is written (ConnectionInfo.responsesWritten), so they behave
 * exactly as on a connection that serves one request at a time.
 *
 * Backpressure: reading pauses while too many frames wait to be processed, and processing pauses while
 * `maxPendingResponses` responses wait to be written.
 */
export class Connection {
  private readonly socket: Socket;
  private readonly frames: FrameReader;
  private readonly handle: FrameHandler;
  private readonly log: Logger;
  private readonly maxPending: number;
  private readonly queue: Buffer[] = [];
  /** Responses not yet written, oldest first; the head is written as soon as it is ready. */
  private readonly slots: Slot[] = [];
  /** Resolved when the slots empty (true) or the connection closes (false). */
  private idleWaiters: ((written: boolean) => void)[] = [];
  /** Wakes the processing loop when a slot frees up or the connection closes. */
  private wakeProcessing: (() => void) | null = null;
  private running = false;
  /** No further request is run: the connection is closing (now, or once earlier responses are out). */
  private stopping = false;
  private closed = false;
  readonly info: ConnectionInfo;

  constructor(
    socket: Socket,
    id: number,
    handle: FrameHandler,
    maxFrameBytes: number,
    log: Logger,
    options: ConnectionOptions = {},
  ) {
    this.socket = socket;
    this.handle = handle;
    this.maxPending = options.maxPendingResponses ?? DEFAULT_MAX_PENDING;
    this.frames = new FrameReader(maxFrameBytes, options.framePool);
    this.info = {
      id,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      closeAfterResponse: false,
      responsesWritten: () => this.responsesWritten(),
    };
    this.log = log.child({ connection: id, remote: this.info.remote });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    socket.on('close', () => this.onClosed());
  }

  /** Responses waiting to be written (for tests and stats). */
  get pendingResponses(): number {
    return this.slots.length;
  }

  private onData(chunk: Buffer): void {
    if (this.stopping || this.closed) return; // closing: nothing more from this client is read or run
    let frames: Buffer[];
    try {
      frames = this.frames.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLarge)) throw error;
      this.log.warn({ size: error.size }, `closing connection: ${error.message}`);
      this.destroy();
      return;
    }
    for (const frame of frames) this.queue.push(frame);
    if (this.queue.length > PAUSE_ABOVE_FRAMES) this.socket.pause();
    if (!this.running) void this.process();
  }

  private async process(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.stopping && !this.closed) {
      if (this.slots.length >= this.maxPending) {
        await new Promise<void>((resolve) => {
          this.wakeProcessing = resolve;
        });
        continue;
      }
      const frame = this.queue.shift() as Buffer;
      if (this.queue.length <= RESUME_AT_FRAMES) this.socket.resume();
      const slot: Slot = { ready: false, response: null, close: false, failed: false };
      let handled: HandledFrame;
      try {
        handled = await this.handle(frame, this.info);
      } catch (error) {
        // The request layer turns every client mistake into a wire error or a deliberate close; anything
        // reaching here is a broker bug. Close this connection only, after the earlier responses.
        this.log.error({ err: error }, 'closing connection after an unexpected error');
        this.slots.push({ ...slot, ready: true, failed: true });
        this.stop();
        this.writeReady();
        break;
      }
      if (handled.requestReleased) this.frames.release(frame);
      const { response } = handled;
      if (this.closed) {
        // The client went away meanwhile: its answers go nowhere.
        if (response instanceof Promise) response.catch(() => undefined);
        break;
      }
      if (response instanceof Promise) {
        response.then(
          (bytes) => this.settle(slot, bytes, false),
          (error: unknown) => {
            this.log.error(
              { err: error },
              'closing connection after an unexpected error in a deferred response',
            );
            this.settle(slot, null, true);
          },
        );
      } else {
        slot.ready = true;
        slot.response = response;
      }
      if (this.info.closeAfterResponse) {
        // Requests queued behind the one that closed the connection are dropped, as Kafka drops them:
        // running them would act (append records, join groups) for a client that gets no answer and
        // retries elsewhere. The socket closes once the responses before it (and its own) are written.
        slot.close = true;
        this.stop();
      }
      this.slots.push(slot);
      this.writeReady();
    }
    this.running = false;
  }

  private settle(slot: Slot, response: Buffer | null, failed: boolean): void {
    slot.ready = true;
    slot.response = response;
    slot.failed = failed;
    this.writeReady();
  }

  /** Writes every ready response at the head of the slots, in order, and acts on a closing slot. */
  private writeReady(): void {
    while (this.slots.length > 0 && this.slots[0].ready && !this.closed) {
      const slot = this.slots.shift() as Slot;
      if (slot.failed) {
        this.destroy();
        return;
      }
      if (slot.response !== null) this.socket.write(slot.response);
      if (slot.close) {
        this.closed = true;
        this.slots.length = 0;
        this.socket.end(() => this.socket.destroy());
        this.notifyWaiters();
        return;
      }
    }
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    if (this.closed || this.slots.length < this.maxPending) {
      const wake = this.wakeProcessing;
      this.wakeProcessing = null;
      wake?.();
    }
    if (this.closed || this.slots.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve(!this.closed);
    }
  }

  private responsesWritten(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.slots.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs no further request; frames already read are dropped. */
  private stop(): void {
    this.stopping = true;
    this.queue.length = 0;
  }

  private onClosed(): void {
    this.stopping = true;
    this.closed = true;
    this.queue.length = 0;
    // Deferred responses still settle later (their appends were made); their slots are gone, so the
    // answers are dropped with the connection.
    this.slots.length = 0;
    this.notifyWaiters();
  }

  /** Closes the socket at once, dropping pending responses. */
  destroy(): void {
    this.stopping = true;
    this.closed = true;
    this.queue.length = 0;
    this.slots.length = 0;
    this.socket.destroy();
    this.notifyWaiters();
  }
}
