import { TimerQueue } from './timer-queue.ts';

export type TimerDomain = 'event' | 'processing';

/** A timer as it fires: which key and namespace (e.g. a window) it belongs to, and its time. */
export interface Timer {
  readonly key: unknown;
  readonly namespace: string;
  readonly time: number;
}

/**
 * The timers of one keyed operator subtask, in two queues (event time, processing time). A timer is
 * identified by (key, namespace, time): registering it twice keeps one. Timers fire in time order (ties
 * in registration order); a timer registered while firing, at or before the time being advanced to,
 * fires in the same advance.
 *
 * @example
 * const timers = new TimerService();
 * timers.registerEventTimer('user-1', '', 1_000);
 * timers.advanceWatermark(1_000, (timer) => console.log(timer.key, timer.time)); // user-1 1000
 */
export class TimerService {
  private readonly event = new TimerQueue();
  private readonly processing = new TimerQueue();
  private watermark = Number.NEGATIVE_INFINITY;
  private processingTime = Number.NEGATIVE_INFINITY;

  registerEventTimer(key: unknown, namespace: string, time: number): boolean {
    return this.event.add(key, namespace, time);
  }

  deleteEventTimer(key: unknown, namespace: string, time: number): boolean {
    return this.event.delete(key, namespace, time);
  }

  /** Returns true when the timer is new (the caller may need to ask for a processing-time callback). */
  registerProcessingTimer(key: unknown, namespace: string, time: number): boolean {
    return this.processing.add(key, namespace, time);
  }

  deleteProcessingTimer(key: unknown, namespace: string, time: number): boolean {
    return this.processing.delete(key, namespace, time);
  }

  /** Fires, in order, every event-time timer at or before `watermark`. */
  advanceWatermark(watermark: number, fire: (timer: Timer) => void): void {
    if (watermark > this.watermark) this.watermark = watermark;
    for (let timer = this.event.pollUpTo(watermark); timer; timer = this.event.pollUpTo(watermark))
      fire(timer);
  }

  /** Fires, in order, every processing-time timer at or before `now`. */
  advanceProcessingTime(now: number, fire: (timer: Timer) => void): void {
    if (now > this.processingTime) this.processingTime = now;
    for (let timer = this.processing.pollUpTo(now); timer; timer = this.processing.pollUpTo(now)) fire(timer);
  }

  /** When the next processing-time timer is due (to ask the task for a callback), or undefined. */
  nextProcessingTime(): number | undefined {
    return this.processing.peekTime();
  }

  nextEventTime(): number | undefined {
    return this.event.peekTime();
  }

  /** The highest watermark advanced to (-Infinity before the first). */
  currentWatermark(): number {
    return this.watermark;
  }

  eventTimerCount(): number {
    return this.event.size();
  }

  processingTimerCount(): number {
    return this.processing.size();
  }

  /** Registered timers in firing order, per domain (tests; snapshots later group them by key group). */
  registered(domain: TimerDomain): Timer[] {
    return (domain === 'event' ? this.event : this.processing).entries();
  }
}
