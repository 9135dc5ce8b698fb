import type { MessagePort } from 'node:worker_threads';
import { StreamError } from '../../common/errors.ts';
import { Channel, type ChannelWriter } from '../channel.ts';
import type { ChannelMessage } from '../messages.ts';
import { BatchEncoder, decodeBatch, type EncodedBatch } from './batch-codec.ts';
import { uncloneableRecordError } from './transferable.ts';

// A channel between two threads is a MessagePort pair with credit-based flow control: the outbox may
// have `capacity` messages outstanding, and the inbox gives credits back as its reader takes messages.
// Same contract as Channel: push never blocks, so a writer that pushes one step's output while it had
// space ends at most one step past the capacity (its credits go negative and it waits).

/** What goes from outbox to inbox; credits go back as plain numbers. */
type WireMessage =
  | Exclude<ChannelMessage, { kind: 'data' }>
  | { readonly kind: 'data'; readonly batch: EncodedBatch };

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new StreamError(
      'ENG_INVALID_ARGUMENT',
      `channel capacity must be a whole number >= 1, got ${capacity}`,
    );
}

/**
 * The writing end of a channel to another thread, over `port` (port1 of a MessageChannel whose port2
 * went to the reader's thread). Data batches are encoded for the crossing (see batch-codec.ts); a
 * record that cannot cross throws ENG_RECORD_NOT_TRANSFERABLE from `push`, and nothing is sent.
 *
 * The port keeps its thread alive only while the writer waits for credits. Once either end closed, the
 * channel takes nothing more: pushes are dropped and `hasSpace` stays false, so a writer waits until
 * its job stops it.
 *
 * @example
 * const { port1, port2 } = new MessageChannel(); // port2 goes to the reader's thread
 * const outbox = new ChannelOutbox(port1, 8);
 * outbox.push({ kind: 'data', batch: batchOf([{ id: 1 }]) });
 * if (!outbox.hasSpace) await outbox.whenSpace();
 */
export class ChannelOutbox implements ChannelWriter {
  readonly capacity: number;
  private readonly port: MessagePort;
  private readonly encoder = new BatchEncoder();
  private credits: number;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(port: MessagePort, capacity: number) {
    checkCapacity(capacity);
    this.port = port;
    this.capacity = capacity;
    this.credits = capacity;
    port.on('message', (credits: number) => this.receiveCredits(credits));
    port.on('close', () => {
      this.closed = true;
    });
    port.unref();
  }

  get hasSpace(): boolean {
    return !this.closed && this.credits > 0;
  }

  push(message: ChannelMessage): void {
    if (this.closed) return;
    if (message.kind === 'data') {
      const { message: batch, transfer } = this.encoder.encode(message.batch);
      try {
        this.port.postMessage({ kind: 'data', batch } satisfies WireMessage, transfer);
      } catch (cause) {
        if (!(cause instanceof Error && cause.name === 'DataCloneError')) throw cause;
        throw uncloneableRecordError(message.batch.values, cause);
      }
    } else this.port.postMessage(message satisfies WireMessage);
    this.credits--;
  }

  /** Resolves once a credit came back (at once when the channel has space). */
  whenSpace(): Promise<void> {
    if (this.hasSpace) return Promise.resolve();
    // Waiting for credits is the one time this port must keep its thread alive.
    if (this.waiters.length === 0) this.port.ref();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Closes the port (both ends stop); messages already sent are still delivered. */
  close(): void {
    this.closed = true;
    this.port.close();
  }

  private receiveCredits(credits: number): void {
    this.credits += credits;
    if (this.credits <= 0 || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.port.unref();
    for (const wake of waiters) wake();
  }
}

/** Options of a ChannelInbox. */
export interface ChannelInboxOptions {
  /**
   * Credits go back to the writer in groups of this many messages read (default: half the capacity,
   * see docs/internals/thread-exchange.md). 1 returns each credit at once.
   */
  readonly creditBatch?: number;
}

/**
 * The reading end of a channel from another thread, over `port` (port2 of the pair). It is a Channel,
 * so an InputGate reads it like any other: `onPush` fires as each message arrives, `shift()` takes them
 * in order and returns credits to the writer.
 *
 * The port keeps its thread alive until the `end` message arrived: a live input is work to wait for.
 *
 * @example
 * const inbox = new ChannelInbox(port2, 8);
 * const gate = new InputGate([{ channel: inbox, port: 0 }]);
 */
export class ChannelInbox extends Channel {
  private readonly port: MessagePort;
  private readonly creditBatch: number;
  private consumed = 0;

  constructor(port: MessagePort, capacity: number, options: ChannelInboxOptions = {}) {
    checkCapacity(capacity);
    super(capacity);
    this.port = port;
    const creditBatch = options.creditBatch ?? Math.ceil(capacity / 2);
    // More than the capacity would leave the writer waiting for credits the reader never sends.
    if (!Number.isInteger(creditBatch) || creditBatch < 1 || creditBatch > capacity)
      throw new StreamError(
        'ENG_INVALID_ARGUMENT',
        `creditBatch must be a whole number from 1 to the capacity (${capacity}), got ${creditBatch}`,
      );
    this.creditBatch = creditBatch;
    port.on('message', (wire: WireMessage) => this.receive(wire));
  }

  override shift(): ChannelMessage | undefined {
    const message = super.shift();
    if (message !== undefined && ++this.consumed >= this.creditBatch) {
      this.port.postMessage(this.consumed);
      this.consumed = 0;
    }
    return message;
  }

  /** Closes the port (both ends stop); messages not yet received are lost. */
  close(): void {
    this.port.close();
  }

  private receive(wire: WireMessage): void {
    if (wire.kind === 'end') this.port.unref();
    this.push(wire.kind === 'data' ? { kind: 'data', batch: decodeBatch(wire.batch) } : wire);
  }
}
