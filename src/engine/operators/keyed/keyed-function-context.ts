import type { OnTimerContext, TimerService } from '../../../plan/functions.ts';
import type { OutputTag } from '../../../plan/output-tag.ts';
import type { KeyedRuntime } from './keyed-runtime.ts';

/**
 * The context of keyed process and keyed co-process functions, reused for every element and timer:
 * the operator sets key, timestamp and time domain before each call. It is its own TimerService, whose
 * timers belong to the current key.
 */
export class KeyedFunctionContext implements OnTimerContext<unknown>, TimerService {
  key: unknown;
  timestamp = Number.NaN;
  timeDomain: 'event' | 'processing' = 'event';
  readonly timerService: TimerService = this;
  private readonly rt: KeyedRuntime;

  constructor(rt: KeyedRuntime) {
    this.rt = rt;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.rt.buffer.side(tag.id, value, this.rt.buffer.main.timestamp);
  }

  currentWatermark(): number {
    return this.rt.watermark;
  }

  currentProcessingTime(): number {
    return this.rt.clock.now();
  }

  registerEventTimeTimer(time: number): void {
    this.rt.timers.registerEventTimer(this.key, '', time);
  }

  registerProcessingTimeTimer(time: number): void {
    this.rt.registerProcessingTimer(this.key, '', time);
  }

  deleteEventTimeTimer(time: number): void {
    this.rt.timers.deleteEventTimer(this.key, '', time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.rt.timers.deleteProcessingTimer(this.key, '', time);
  }
}
