import { type FileHandle, open } from 'node:fs/promises';

const BLOCK = 64 * 1024;
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export interface Line {
  /** The line's bytes without the line break (a trailing \r is kept; the parser drops it). */
  readonly bytes: Buffer;
  /** 1-based. */
  readonly number: number;
}

/**
 * Reads a file line by line from where it left off. Lines are split on bytes, so a multi-byte
 * character is never cut in two. The file handle is opened on demand and released at the end of the
 * data, so a watched directory with many files does not hold a descriptor per file.
 */
export class LineCursor {
  readonly path: string;
  /** Bytes of the file consumed as lines. */
  private consumed = 0;
  private lineNumber = 0;
  /** Bytes read from disk after `consumed` that do not yet end with a line break. */
  private pending: Buffer = EMPTY;
  private handle: FileHandle | undefined;

  /** `start`: resume after `line` lines that end at byte `offset` (a restored position). */
  constructor(
    path: string,
    start: { readonly offset: number; readonly line: number } = { offset: 0, line: 0 },
  ) {
    this.path = path;
    this.consumed = start.offset;
    this.lineNumber = start.line;
  }

  /** Bytes of the file handed out as lines, and how many lines that was. */
  get position(): { offset: number; line: number } {
    return { offset: this.consumed, line: this.lineNumber };
  }

  /** Where the next read from disk starts; a file larger than this has unread data. */
  get readPosition(): number {
    return this.consumed + this.pending.length;
  }

  /**
   * Up to `max` lines. `atEnd` is true when the file has no more complete lines right now. With
   * `final`, text after the last line break counts as a line (the file is read once, to its end);
   * without it that text waits for its line break (the file may still be growing).
   */
  async read(max: number, final: boolean): Promise<{ lines: Line[]; atEnd: boolean }> {
    const lines: Line[] = [];
    for (;;) {
      let from = 0;
      for (
        let at = this.pending.indexOf(NEWLINE);
        at >= 0 && lines.length < max;
        at = this.pending.indexOf(NEWLINE, from)
      ) {
        lines.push({ bytes: this.pending.subarray(from, at), number: ++this.lineNumber });
        from = at + 1;
      }
      this.take(from);
      if (lines.length >= max) return { lines, atEnd: false };
      const block = await this.readBlock();
      if (block.length > 0) {
        this.pending = this.pending.length === 0 ? block : Buffer.concat([this.pending, block]);
        continue;
      }
      if (final && this.pending.length > 0) {
        lines.push({ bytes: this.pending, number: ++this.lineNumber });
        this.take(this.pending.length);
      }
      await this.release();
      return { lines, atEnd: true };
    }
  }

  /** Closes the file handle (the next read() reopens it). */
  async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private take(bytes: number): void {
    if (bytes === 0) return;
    this.consumed += bytes;
    // Copy the rest so the big block it came from can be collected.
    this.pending = bytes === this.pending.length ? EMPTY : Buffer.from(this.pending.subarray(bytes));
  }

  private async readBlock(): Promise<Buffer> {
    this.handle ??= await open(this.path, 'r');
    const buffer = Buffer.allocUnsafe(BLOCK);
    const { bytesRead } = await this.handle.read(buffer, 0, BLOCK, this.readPosition);
    return buffer.subarray(0, bytesRead);
  }
}
