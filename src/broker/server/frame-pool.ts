// Reusable memory for request frames that span several socket reads (in practice: Produce requests of
// up to a few MB). Allocating a fresh buffer per frame made V8 run a major GC every ~30 MB received,
// because external (ArrayBuffer) memory counts toward its heuristics; see
// docs/internals/broker-benchmark.md. A buffer comes back only when the request layer says nothing
// refers to the frame any more (ApiHandler.releasesRequest), so reuse never overwrites live bytes.

/** Frames smaller than this are allocated normally: cheap, and they rarely span reads. */
const MIN_POOLED_BYTES = 16 << 10;

/** How a FramePool is sized. */
export interface FramePoolOptions {
  /** Largest frame served from the pool; bigger frames get a buffer of their own. */
  maxFrameBytes?: number;
  /** Bytes of idle buffers kept for reuse; a release beyond it lets the buffer go. */
  maxIdleBytes?: number;
}

/**
 * Buffers in power-of-two size classes, lent out as views of exactly the frame's size and taken back by
 * release(). Buffers never released (a request that kept its bytes, a connection that failed) are
 * simply collected by the GC.
 *
 * @example
 * const pool = new FramePool();
 * const frame = pool.acquire(1_000_000); // ... fill, handle ...
 * pool.release(frame);                   // only once nothing refers to it
 */
export class FramePool {
  private readonly maxFrameBytes: number;
  private readonly maxIdleBytes: number;
  private readonly idle = new Map<number, Buffer[]>();
  private idleBytes = 0;
  /** Backing stores currently lent out: release() ignores anything else (socket chunks, double releases). */
  private readonly lent = new WeakSet<ArrayBufferLike>();
  private reusedCount = 0;

  constructor(options: FramePoolOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? 16 << 20;
    this.maxIdleBytes = options.maxIdleBytes ?? 32 << 20;
  }

  /** A buffer of exactly `size` bytes (uninitialized), from the pool when the size qualifies. */
  acquire(size: number): Buffer {
    if (size < MIN_POOLED_BYTES || size > this.maxFrameBytes) return Buffer.allocUnsafe(size);
    const capacity = sizeClass(size);
    const free = this.idle.get(capacity);
    let whole = free?.pop();
    if (whole !== undefined) {
      this.idleBytes -= capacity;
      this.reusedCount++;
    } else {
      // allocUnsafeSlow: a backing store of its own, never a slice of Node's shared 8 KiB pool.
      whole = Buffer.allocUnsafeSlow(capacity);
    }
    this.lent.add(whole.buffer);
    return whole.subarray(0, size);
  }

  /** Takes back a buffer from acquire(); anything else is ignored. */
  release(frame: Buffer): void {
    const store = frame.buffer;
    if (!this.lent.delete(store)) return;
    const capacity = store.byteLength;
    if (this.idleBytes + capacity > this.maxIdleBytes) return;
    const whole = Buffer.from(store, 0, capacity);
    const free = this.idle.get(capacity);
    if (free === undefined) this.idle.set(capacity, [whole]);
    else free.push(whole);
    this.idleBytes += capacity;
  }

  /** Acquisitions served by a reused buffer (for tests and stats). */
  get reused(): number {
    return this.reusedCount;
  }
}

function sizeClass(size: number): number {
  return 2 ** Math.ceil(Math.log2(size));
}

/**
 * The pool connections use unless given one: shared by every connection of the process, so idle
 * connections hold no frame memory of their own, and bounded by maxIdleBytes.
 */
export const sharedFramePool = new FramePool();
