import { MIN_TIMESTAMP } from '../../common/time.ts';

/**
 * Combines the watermarks of a subtask's input channels: the input watermark is the minimum over
 * channels that are neither idle nor ended, and it only ever moves forward. When every live channel is
 * idle the watermark stays where it is and the subtask itself counts as idle downstream. An ended
 * channel leaves the minimum (it sent MAX_TIMESTAMP before ending, so this changes nothing for it,
 * but an idle neighbour can no longer be overtaken by it).
 *
 * @example
 * const valve = new WatermarkValve(2);
 * valve.onWatermark(0, 10); // undefined: channel 1 has not sent one yet
 * valve.onWatermark(1, 7);  // 7
 */
export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly ended: boolean[];
  private live: number;
  private current = MIN_TIMESTAMP;

  constructor(channels: number) {
    this.watermarks = new Array<number>(channels).fill(MIN_TIMESTAMP);
    this.idle = new Array<boolean>(channels).fill(false);
    this.ended = new Array<boolean>(channels).fill(false);
    this.live = channels;
  }

  /** The combined watermark so far (MIN_TIMESTAMP before any). */
  get watermark(): number {
    return this.current;
  }

  get allEnded(): boolean {
    return this.live === 0;
  }

  /** True when some channel is still live and every live channel is idle. */
  get isIdle(): boolean {
    if (this.live === 0) return false;
    for (let i = 0; i < this.idle.length; i++) if (!this.ended[i] && !this.idle[i]) return false;
    return true;
  }

  /** Returns the new combined watermark when it advanced, else undefined. */
  onWatermark(channel: number, time: number): number | undefined {
    if (time > this.watermarks[channel]) this.watermarks[channel] = time;
    return this.advance();
  }

  onIdle(channel: number, idle: boolean): number | undefined {
    this.idle[channel] = idle;
    return this.advance();
  }

  onEnd(channel: number): number | undefined {
    if (this.ended[channel]) return undefined;
    this.ended[channel] = true;
    this.live--;
    return this.advance();
  }

  private advance(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.ended[i] || this.idle[i]) continue;
      if (this.watermarks[i] < min) min = this.watermarks[i];
    }
    if (min === Number.POSITIVE_INFINITY || min <= this.current) return undefined;
    this.current = min;
    return min;
  }
}
