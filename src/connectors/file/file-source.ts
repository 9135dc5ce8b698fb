import { stat } from 'node:fs/promises';
import { z } from 'zod';
import type {
  RawBadRecord,
  SourceChunk,
  SourceContext,
  SourceReader,
  SplitPosition,
} from '../../engine/source.ts';
import type { SourceDescriptor } from '../../plan/connectors.ts';
import { sourceSide } from '../connector.ts';
import { chunkOf } from '../shared/chunk.ts';
import { parseConfig } from '../shared/config-error.ts';
import { durationMs, nonEmpty } from '../shared/schemas.ts';
import { sleep } from '../shared/wakeup.ts';
import { listFiles, ownerOf, unreadable } from './file-listing.ts';
import { type FilePosition, isFilePosition } from './file-position.ts';
import { LineCursor } from './line-cursor.ts';
import { RecordParser } from './record-parser.ts';

export const fileSourceConfig = z.strictObject({
  path: nonEmpty,
  format: z.enum(['lines', 'jsonl', 'csv']),
  csv: z
    .strictObject({
      header: z.boolean().optional(),
      delimiter: nonEmpty
        .refine((d) => !/["\r\n]/.test(d), { error: 'must not contain a quote or line break' })
        .optional(),
    })
    .optional(),
  watch: z.strictObject({ interval: durationMs }).optional(),
});

export type FileSourceOptions = z.input<typeof fileSourceConfig>;
type FileSourceConfig = z.output<typeof fileSourceConfig>;

interface FileSplit {
  readonly path: string;
  readonly cursor: LineCursor;
  readonly parser: RecordParser;
  announced: boolean;
  /** Watch mode: the file has grown past what was read. */
  unread: boolean;
}

/**
 * Reads lines, JSON lines or CSV from a file or the files of a directory; each file is a split. Without
 * `watch` the files present at open are divided over subtasks by position (file k goes to subtask
 * k % p), each read to its end, one after the other. With `watch` the directory is scanned every
 * interval (by the job clock) for new files and for complete lines appended to known ones.
 */
export class FileSourceReader implements SourceReader<unknown> {
  private readonly config: FileSourceConfig;
  private ctx: SourceContext | undefined;
  private splits: FileSplit[] = [];
  private known = new Set<string>();
  private nextScanAt = 0;
  /** Chunks for files that vanished while watched. */
  private endedChunks: SourceChunk<unknown>[] = [];
  private turn = 0;
  /** Files this subtask read to their end (or that vanished): a restore must not read them again. */
  private done: string[] = [];
  private restored = new Map<string, FilePosition>();

  constructor(config: FileSourceConfig) {
    this.config = config;
  }

  /** Positions of every subtask of the previous run, by file; open() resumes the files it owns there. */
  restorePositions(positions: readonly SplitPosition[]): void {
    for (const { position } of positions)
      if (isFilePosition(position)) this.restored.set(position.file, position);
  }

  /** Per owned file: the byte offset and line number after the last record handed out (or `ended`). */
  snapshotPositions(): SplitPosition[] {
    const ended = this.done.map((file) => ({ split: file, position: { kind: 'file', file, ended: true } }));
    return [
      ...ended,
      ...this.splits.map((s) => {
        const { offset, line } = s.cursor.position;
        const open = s.parser.unfinished;
        const columns = s.parser.columnNames;
        const position: FilePosition = {
          kind: 'file',
          file: s.path,
          offset: offset - open.bytes,
          line: line - open.lines,
          ...(columns === undefined ? {} : { columns }),
        };
        return { split: s.path, position };
      }),
    ];
  }

  async open(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    const { files } = await listFiles(this.config.path);
    if (this.config.watch !== undefined) {
      this.nextScanAt = ctx.clock.now();
      return;
    }
    files.forEach((file, k) => {
      if (k % ctx.parallelism === ctx.subtaskIndex) this.adopt(file);
    });
  }

  async poll(maxWaitMs: number): Promise<SourceChunk<unknown>[] | null> {
    const ctx = this.ctx;
    if (ctx === undefined) throw new Error('FileSourceReader.poll() called before open()');
    return this.config.watch === undefined ? this.pollBounded(ctx) : this.pollWatching(ctx, maxWaitMs);
  }

  async close(): Promise<void> {
    const splits = this.splits;
    this.splits = [];
    await Promise.allSettled(splits.map((s) => s.cursor.release()));
  }

  private async pollBounded(ctx: SourceContext): Promise<SourceChunk<unknown>[] | null> {
    const split = this.splits[0];
    if (split === undefined) return null;
    const values: unknown[] = [];
    const bad: RawBadRecord[] = [];
    const atEnd = await this.readInto(split, ctx.batchSize, true, values, bad);
    if (atEnd) {
      split.parser.finish(bad);
      this.splits.shift();
      this.done.push(split.path);
    }
    return [chunkOf(split.path, values, { bad, ended: atEnd })];
  }

  private async pollWatching(ctx: SourceContext, maxWaitMs: number): Promise<SourceChunk<unknown>[]> {
    if (ctx.clock.now() >= this.nextScanAt) {
      await this.scan(ctx);
      this.nextScanAt = ctx.clock.now() + (this.config.watch?.interval ?? 0);
    }
    const chunks = this.endedChunks;
    this.endedChunks = [];
    let budget = ctx.batchSize;
    // Take turns so one busy file does not starve the others.
    const order = this.splits.map((_, i) => this.splits[(i + this.turn) % this.splits.length]);
    this.turn++;
    for (const split of order) {
      if (!split.unread && split.announced) continue;
      const values: unknown[] = [];
      const bad: RawBadRecord[] = [];
      if (split.unread && budget > 0) {
        split.unread = !(await this.readInto(split, budget, false, values, bad));
        budget -= values.length + bad.length;
      }
      if (values.length > 0 || bad.length > 0 || !split.announced)
        chunks.push(chunkOf(split.path, values, { bad }));
      split.announced = true;
    }
    if (chunks.length === 0) await sleep(Math.min(maxWaitMs, this.nextScanAt - ctx.clock.now()), ctx.signal);
    return chunks;
  }

  /** Reads up to `max` lines of `split` into values/bad; true when the file has no more lines now. */
  private async readInto(
    split: FileSplit,
    max: number,
    final: boolean,
    values: unknown[],
    bad: RawBadRecord[],
  ): Promise<boolean> {
    let result: Awaited<ReturnType<LineCursor['read']>>;
    try {
      result = await split.cursor.read(max, final);
    } catch (cause) {
      await split.cursor.release().catch(() => undefined);
      throw unreadable(split.path, cause);
    }
    for (const line of result.lines) split.parser.push(line, values, bad);
    return result.atEnd;
  }

  private async scan(ctx: SourceContext): Promise<void> {
    const { directory, files } = await listFiles(this.config.path);
    for (const file of files) {
      if (this.known.has(file)) continue;
      const owner = directory ? ownerOf(file, ctx.parallelism) : 0;
      this.known.add(file);
      // A watched file is announced at the next poll and read from its position.
      if (owner === ctx.subtaskIndex) this.adopt(file, { announced: false, unread: true });
    }
    const present = new Set(files);
    const kept: FileSplit[] = [];
    for (const split of this.splits) {
      const size = present.has(split.path) ? await sizeOf(split.path) : undefined;
      if (size === undefined) {
        await split.cursor.release().catch(() => undefined);
        this.endedChunks.push(chunkOf(split.path, [], { ended: true }));
        this.done.push(split.path);
        continue;
      }
      if (size > split.cursor.readPosition) split.unread = true;
      kept.push(split);
    }
    this.splits = kept;
  }

  /** Takes on a file this subtask owns, where a restored position says (none when it was finished). */
  private adopt(path: string, state = { announced: true, unread: false }): void {
    const restored = this.restored.get(path);
    if (restored?.ended === true) {
      this.done.push(path);
      return;
    }
    const parser = new RecordParser(path, this.config.format, this.config.csv, restored?.columns);
    const start = { offset: restored?.offset ?? 0, line: restored?.line ?? 0 };
    this.splits.push({ path, cursor: new LineCursor(path, start), parser, ...state });
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

export const fileSourceSide = sourceSide(fileSourceConfig, (config) => new FileSourceReader(config));

/**
 * Lines, JSON lines or CSV rows from a file or directory; bounded unless `watch` is set.
 *
 * @example
 * env.fromSource(fileSource<{ user: string }>({ path: './clicks', format: 'jsonl' }));
 * env.fromSource(fileSource({ path: './inbox', format: 'csv', watch: { interval: 1_000 } }));
 */
export function fileSource<T = unknown>(options: FileSourceOptions): SourceDescriptor<T> {
  const config = { ...options };
  parseConfig('file source', fileSourceConfig, config);
  return { connector: 'file', config, bounded: options.watch === undefined };
}
