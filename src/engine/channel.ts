import type { ChannelMessage } from './messages.ts';

/**
 * The sending end of a channel, as a subtask's exchanges see it: a Channel in the same thread, or the
 * outbox of a channel to another thread (src/engine/threads/).
 */
export interface ChannelWriter {
  readonly hasSpace: boolean;
  push(message: ChannelMessage): void;
  /** Resolves once the channel takes messages again (at once when it does). */
  whenSpace(): Promise<void>;
}

/**
 * A one-writer, one-reader queue of messages between two subtasks. `push` never blocks: a writer
 * pushes everything one input message produced, then waits with `whenSpace()` before taking more input,
 * so a channel holds at most `capacity` messages plus the output of one step. Messages are plain data,
 * so the same contract can later be carried over a MessagePort with credits instead of a shared array.
 *
 * @example
 * const channel = new Channel(8);
 * channel.push({ kind: 'end' });
 * channel.shift(); // { kind: 'end' }
 */
export class Channel implements ChannelWriter {
  readonly capacity: number;
  /** Called on every push; the reader's input gate uses it to wake up. */
  onPush: (() => void) | undefined = undefined;
  private readonly queue: ChannelMessage[] = [];
  private spaceWaiters: (() => void)[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.queue.length;
  }

  get hasSpace(): boolean {
    return this.queue.length < this.capacity;
  }

  push(message: ChannelMessage): void {
    this.queue.push(message);
    this.onPush?.();
  }

  shift(): ChannelMessage | undefined {
    const message = this.queue.shift();
    if (this.spaceWaiters.length > 0 && this.queue.length < this.capacity) this.wakeWriters();
    return message;
  }

  /** Resolves once the channel holds fewer than `capacity` messages (at once when it already does). */
  whenSpace(): Promise<void> {
    if (this.hasSpace) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  private wakeWriters(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }
}
