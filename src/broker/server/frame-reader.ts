import { type FramePool, sharedFramePool } from './frame-pool.ts';

/**
 * Splits a TCP byte stream into Kafka frames: `size:int32` followed by `size` bytes.
 *
 * A frame that lies inside one socket chunk is returned as a view of that chunk (no copy). A frame that
 * spans chunks is copied, chunk by chunk as its bytes arrive, into one buffer from a FramePool; the
 * caller gives that buffer back with release() once nothing refers to the frame.
 */
export class FrameReader {
  private readonly maxFrameBytes: number;
  private readonly pool: FramePool;
  /** Bytes of a size prefix split across chunks. */
  private readonly head = Buffer.alloc(4);
  private headFilled = 0;
  /** The frame being assembled across chunks, and how much of it has arrived. */
  private partial: Buffer | null = null;
  private partialFilled = 0;

  constructor(maxFrameBytes: number, pool: FramePool = sharedFramePool) {
    this.maxFrameBytes = maxFrameBytes;
    this.pool = pool;
  }

  /**
   * Adds bytes and returns every frame now complete (without their size prefix). Throws FrameTooLarge
   * when a frame announces a size outside 0..maxFrameBytes; the connection must then be closed.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.partial !== null) {
        const n = Math.min(this.partial.length - this.partialFilled, chunk.length - pos);
        chunk.copy(this.partial, this.partialFilled, pos, pos + n);
        this.partialFilled += n;
        pos += n;
        if (this.partialFilled === this.partial.length) {
          frames.push(this.partial);
          this.partial = null;
        }
        continue;
      }
      let size: number;
      if (this.headFilled === 0 && chunk.length - pos >= 4) {
        size = chunk.readInt32BE(pos);
        pos += 4;
      } else {
        const n = Math.min(4 - this.headFilled, chunk.length - pos);
        chunk.copy(this.head, this.headFilled, pos, pos + n);
        this.headFilled += n;
        pos += n;
        if (this.headFilled < 4) break;
        this.headFilled = 0;
        size = this.head.readInt32BE(0);
      }
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLarge(size, this.maxFrameBytes);
      if (chunk.length - pos >= size) {
        frames.push(chunk.subarray(pos, pos + size));
        pos += size;
      } else {
        this.partial = this.pool.acquire(size);
        this.partialFilled = 0;
      }
    }
    return frames;
  }

  /** Gives a frame's memory back for reuse; only once nothing refers to the frame (views included). */
  release(frame: Buffer): void {
    this.pool.release(frame);
  }
}

export class FrameTooLarge extends Error {
  readonly size: number;
  constructor(size: number, limit: number) {
    super(`frame announces ${size} bytes; the limit is ${limit} (socket.request.max.bytes)`);
    this.size = size;
  }
}
