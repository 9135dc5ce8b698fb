/**
 * The processing times one operator asked to be called back at, kept sorted and without duplicates.
 * Operators usually ask only for their next due time, so the array stays tiny.
 *
 * @example
 * const times = new ProcessingTimes();
 * times.add(200); times.add(100);
 * times.next;          // 100
 * times.takeDue(150);  // true: 100 was due; 200 stays
 */
export class ProcessingTimes {
  private readonly times: number[] = [];

  /** The earliest requested time, or Infinity. */
  get next(): number {
    return this.times.length > 0 ? this.times[0] : Number.POSITIVE_INFINITY;
  }

  add(time: number): void {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.times[mid] < time) low = mid + 1;
      else high = mid;
    }
    if (this.times[low] !== time) this.times.splice(low, 0, time);
  }

  /** Removes every time at or before `now`; true when there was one. */
  takeDue(now: number): boolean {
    let due = 0;
    while (due < this.times.length && this.times[due] <= now) due++;
    if (due === 0) return false;
    this.times.splice(0, due);
    return true;
  }
}
