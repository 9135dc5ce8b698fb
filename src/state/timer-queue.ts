import { mapKeyOf } from './key-identity.ts';

/** One registered timer. `live` turns false when it is deleted; the heap drops dead entries lazily. */
export class TimerEntry {
  readonly key: unknown;
  readonly namespace: string;
  readonly time: number;
  readonly seq: number;
  live = true;

  constructor(key: unknown, namespace: string, time: number, seq: number) {
    this.key = key;
    this.namespace = namespace;
    this.time = time;
    this.seq = seq;
  }
}

/**
 * Timers of one time domain: a binary min-heap by (time, registration order) for firing, and an index
 * time → namespace → key for de-duplication and deletion (nested Maps, so no key string is built).
 */
export class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  private readonly index = new Map<number, Map<string, Map<unknown, TimerEntry>>>();
  private seq = 0;
  private liveCount = 0;

  /** Adds a timer; returns false when the same (key, namespace, time) is already registered. */
  add(key: unknown, namespace: string, time: number): boolean {
    let byNamespace = this.index.get(time);
    if (byNamespace === undefined) {
      byNamespace = new Map();
      this.index.set(time, byNamespace);
    }
    let byKey = byNamespace.get(namespace);
    if (byKey === undefined) {
      byKey = new Map();
      byNamespace.set(namespace, byKey);
    }
    const mapKey = mapKeyOf(key);
    if (byKey.has(mapKey)) return false;
    const entry = new TimerEntry(key, namespace, time, this.seq++);
    byKey.set(mapKey, entry);
    this.push(entry);
    this.liveCount++;
    return true;
  }

  /** Removes a timer; returns false when there was none. */
  delete(key: unknown, namespace: string, time: number): boolean {
    const entry = this.unindex(mapKeyOf(key), namespace, time);
    if (entry === undefined) return false;
    entry.live = false;
    this.liveCount--;
    // Deleted entries stay in the heap until they surface; rebuild when they dominate it.
    if (this.heap.length > 2 * this.liveCount + 1_024) this.compact();
    return true;
  }

  /** The earliest live timer's time, or undefined. */
  peekTime(): number | undefined {
    this.dropDead();
    return this.heap.length === 0 ? undefined : this.heap[0].time;
  }

  /** Removes and returns the earliest live timer if its time is at or before `time`. */
  pollUpTo(time: number): TimerEntry | undefined {
    this.dropDead();
    const top = this.heap[0];
    if (top === undefined || top.time > time) return undefined;
    this.pop();
    this.unindex(mapKeyOf(top.key), top.namespace, top.time);
    top.live = false;
    this.liveCount--;
    return top;
  }

  size(): number {
    return this.liveCount;
  }

  /** Live timers in firing order (for tests and, later, snapshots). */
  entries(): TimerEntry[] {
    return this.heap.filter((entry) => entry.live).sort((a, b) => a.time - b.time || a.seq - b.seq);
  }

  private unindex(mapKey: unknown, namespace: string, time: number): TimerEntry | undefined {
    const byNamespace = this.index.get(time);
    const byKey = byNamespace?.get(namespace);
    const entry = byKey?.get(mapKey);
    if (byNamespace === undefined || byKey === undefined || entry === undefined) return undefined;
    byKey.delete(mapKey);
    if (byKey.size === 0) {
      byNamespace.delete(namespace);
      if (byNamespace.size === 0) this.index.delete(time);
    }
    return entry;
  }

  private compact(): void {
    const live = this.heap.filter((entry) => entry.live);
    this.heap.length = 0;
    for (const entry of live) this.push(entry);
  }

  private dropDead(): void {
    while (this.heap.length > 0 && !this.heap[0].live) this.pop();
  }

  private push(entry: TimerEntry): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
