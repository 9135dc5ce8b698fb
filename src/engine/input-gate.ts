import type { Channel } from './channel.ts';
import type { ChannelMessage } from './messages.ts';

// setTimeout fires at once for delays above 2^31 - 1 ms.
const MAX_TIMER_MS = 2_147_483_647;

/** One input channel of a subtask and the operator port its data goes to. */
export interface GateInput {
  readonly channel: Channel;
  readonly port: number;
}

/**
 * Reads the input channels of one subtask, taking them in turn so a busy channel cannot starve the
 * others. `poll` is synchronous; the task awaits `wait` only when every channel is empty, so a full
 * stream of batches costs no promise per message.
 *
 * @example
 * const gate = new InputGate([{ channel, port: 0 }]);
 * const next = gate.poll() ?? (await gate.wait(100, signal), gate.poll());
 */
export class InputGate {
  readonly inputs: readonly GateInput[];
  private next = 0;
  private waiter: (() => void) | undefined = undefined;
  /** Inputs held back during barrier alignment: their messages stay in the channel. */
  private readonly blocked: boolean[];

  constructor(inputs: readonly GateInput[]) {
    this.inputs = inputs;
    this.blocked = inputs.map(() => false);
    for (const input of inputs) input.channel.onPush = () => this.wake();
  }

  /** Stops reading an input until unblockAll (it delivered a checkpoint barrier; the others have not). */
  block(input: number): void {
    this.blocked[input] = true;
  }

  unblockAll(): void {
    this.blocked.fill(false);
    this.wake();
  }

  /** The next message and the index of the input it came from, or undefined when all unblocked inputs are empty. */
  poll(): { readonly input: number; readonly message: ChannelMessage } | undefined {
    const count = this.inputs.length;
    for (let step = 0; step < count; step++) {
      const index = (this.next + step) % count;
      if (this.blocked[index]) continue;
      const message = this.inputs[index].channel.shift();
      if (message !== undefined) {
        this.next = (index + 1) % count;
        return { input: index, message };
      }
    }
    return undefined;
  }

  /**
   * Resolves when a message arrives, after `timeoutMs` (Infinity: no timeout), or when `signal` aborts.
   * Only the owning task waits, so one waiter is enough.
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        this.waiter = undefined;
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      this.waiter = finish;
      signal.addEventListener('abort', finish, { once: true });
      if (Number.isFinite(timeoutMs))
        timer = setTimeout(finish, Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS));
    });
  }

  /** Ends a pending wait early (a mailbox action or an unblocked input needs the task). */
  wake(): void {
    this.waiter?.();
  }
}
