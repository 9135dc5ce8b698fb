// Heartbeats of one group generation. The first answer that asks the member to rejoin raises the alarm,
// but heartbeats go on until the member stops them: while it hands its tasks over (checkpoint, commit)
// the broker must still see it alive, or it is evicted before it could finish.

import { classifyGroupError } from './group-coordinator-link.ts';

/** Why the member has to rejoin. */
export type HeartbeatAlarm =
  /** The group is rebalancing; the member is still in it. */
  | { readonly kind: 'rebalance' }
  /** The coordinator no longer knows the member (evicted after its session timeout, or fenced). */
  | { readonly kind: 'unknown-member' }
  /** The group moved to a newer generation without this member. */
  | { readonly kind: 'illegal-generation' }
  /** No heartbeat got through for a whole session timeout: the broker has surely dropped us. */
  | { readonly kind: 'lost' }
  /** An error no retry can fix. */
  | { readonly kind: 'fatal'; readonly error: unknown };

export interface HeartbeatLoopOptions {
  /** Sends one heartbeat; rejects with the client's error. */
  readonly send: () => Promise<void>;
  /** Called after a coordinator or network error, before the next try (look the coordinator up again). */
  readonly onCoordinatorError: () => Promise<void>;
  readonly intervalMs: number;
  readonly sessionTimeoutMs: number;
}

/**
 * Sends a heartbeat every `intervalMs` until stopped.
 *
 * @example
 * const loop = new HeartbeatLoop({ send: () => link.heartbeat(gen, id), onCoordinatorError: () => link.forgetCoordinator(), intervalMs: 3000, sessionTimeoutMs: 45000 });
 * const alarm = await loop.alarm; // e.g. { kind: 'rebalance' }
 * loop.stop();
 */
export class HeartbeatLoop {
  /** Settles with the first alarm. */
  readonly alarm: Promise<HeartbeatAlarm>;
  private readonly options: HeartbeatLoopOptions;
  private raise: (alarm: HeartbeatAlarm) => void = () => undefined;
  private worst: HeartbeatAlarm | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastSuccess = performance.now();

  constructor(options: HeartbeatLoopOptions) {
    this.options = options;
    this.alarm = new Promise((resolve) => {
      this.raise = resolve;
    });
    this.schedule();
  }

  /**
   * The most serious alarm so far: an eviction noticed while the member was still handing over after a
   * rebalance alarm means it must rejoin without its old member id.
   */
  get latest(): HeartbeatAlarm | undefined {
    return this.worst;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beat(), this.options.intervalMs);
  }

  private async beat(): Promise<void> {
    try {
      await this.options.send();
      this.lastSuccess = performance.now();
      return this.schedule();
    } catch (error) {
      if (this.stopped) return;
      const kind = classifyGroupError(error);
      if (kind === 'rebalance') {
        this.lastSuccess = performance.now(); // the broker counted it: the session goes on
        this.report({ kind });
        return this.schedule();
      }
      if (kind === 'unknown-member' || kind === 'illegal-generation') return this.finish({ kind });
      if (kind === 'coordinator') {
        await this.options.onCoordinatorError().catch(() => undefined);
        if (performance.now() - this.lastSuccess >= this.options.sessionTimeoutMs) {
          return this.finish({ kind: 'lost' });
        }
        return this.schedule();
      }
      this.finish({ kind: 'fatal', error });
    }
  }

  private finish(alarm: HeartbeatAlarm): void {
    this.report(alarm);
    this.stop();
  }

  private report(alarm: HeartbeatAlarm): void {
    if (this.worst === undefined || this.worst.kind === 'rebalance') this.worst = alarm;
    this.raise(alarm);
  }
}
