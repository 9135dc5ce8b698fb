/**
 * Splits a TCP byte stream into Kafka frames: `size:int32` followed by `size` bytes.
 *
 * Chunks are kept as a list and joined only when a frame is complete, so a large produce request
 * arriving in many chunks is copied once.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly maxFrameBytes: number;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds bytes and returns every frame now complete (without their size prefix). Throws FrameTooLarge
   * when a frame announces a size outside 0..maxFrameBytes; the connection must then be closed.
   */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLarge(size, this.maxFrameBytes);
      if (this.buffered < 4 + size) break;
      const all = this.take(4 + size);
      frames.push(all.subarray(4));
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4));
    this.chunks = [head, ...this.chunksAfter(head.length)];
    return head.readInt32BE(0);
  }

  /** Chunks with the first `n` bytes removed (used after merging the head). */
  private chunksAfter(n: number): Buffer[] {
    const rest: Buffer[] = [];
    let skip = n;
    for (const chunk of this.chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    return rest;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.concat(this.chunks, n);
      this.chunks = this.chunksAfter(n);
    }
    this.buffered -= n;
    return out;
  }
}

export class FrameTooLarge extends Error {
  readonly size: number;
  constructor(size: number, limit: number) {
    super(`frame announces ${size} bytes; the limit is ${limit} (socket.request.max.bytes)`);
    this.size = size;
  }
}
