import { type FileHandle, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StreamError } from '../../common/errors.ts';
import { type Clock, systemClock } from '../../common/time.ts';
import type { Batch } from '../../engine/batch.ts';
import type { SinkContext, SinkWriter } from '../../engine/sink.ts';
import type { SinkDescriptor } from '../../plan/connectors.ts';
import { sinkSide } from '../connector.ts';
import { parseConfig } from '../shared/config-error.ts';
import { toJson, unwritable } from '../shared/json.ts';
import { durationMs, nonEmpty, positiveInt } from '../shared/schemas.ts';
import { formatCsvRow } from './csv.ts';

export const fileSinkConfig = z.strictObject({
  path: nonEmpty,
  format: z.enum(['jsonl', 'csv']),
  rolling: z.strictObject({ maxBytes: positiveInt.optional(), interval: durationMs.optional() }).optional(),
  prefix: nonEmpty.regex(/^[^/\\]+$/, { error: 'must not contain a path separator' }).optional(),
});

export type FileSinkOptions = z.input<typeof fileSinkConfig>;
type FileSinkConfig = z.output<typeof fileSinkConfig>;

export const DEFAULT_MAX_PART_BYTES = 128 * 1024 * 1024;

interface Part {
  readonly path: string;
  readonly handle: FileHandle;
  readonly openedAt: number;
  /** Bytes written, header included. */
  bytes: number;
  rows: number;
}

/**
 * Writes one line per element to part files `<prefix>-<subtask>-<n>.<ext>` in a directory, starting a
 * new part when the current one would pass `maxBytes` or is older than `interval` (checked when
 * elements arrive). Numbering continues after the parts already there, so a rerun never overwrites.
 * CSV columns come from the first element's keys; every part starts with the header line.
 */
export class FileSinkWriter implements SinkWriter<unknown> {
  private readonly config: FileSinkConfig;
  private readonly clock: Clock;
  private subtask = 0;
  private nextNumber = 0;
  private part: Part | undefined;
  private columns: string[] | undefined;
  /** A part was created since the last flush, so the directory entry must be made durable too. */
  private created = false;

  /** `clock` decides when a part is old enough to roll; tests pass a ManualClock. */
  constructor(config: FileSinkConfig, clock: Clock = systemClock) {
    this.config = config;
    this.clock = clock;
  }

  async open(ctx: SinkContext): Promise<void> {
    this.subtask = ctx.subtaskIndex;
    await this.io('create the directory', () => mkdir(this.config.path, { recursive: true }));
    const pattern = new RegExp(
      `^${escapeRegExp(this.prefix)}-${this.subtask}-(\\d+)\\.${this.config.format}$`,
    );
    const names = await this.io('list the directory', () => readdir(this.config.path));
    for (const name of names) {
      const match = pattern.exec(name);
      if (match) this.nextNumber = Math.max(this.nextNumber, Number(match[1]) + 1);
    }
  }

  async write(batch: Batch<unknown>): Promise<void> {
    const lines: string[] = [];
    let bytes = 0;
    for (const value of batch.values) {
      const line = `${this.format(value)}\n`;
      const size = Buffer.byteLength(line);
      if (this.part === undefined || this.mustRoll(this.part, lines.length, bytes + size)) {
        await this.append(lines.splice(0), bytes);
        bytes = 0;
        await this.roll();
      }
      lines.push(line);
      bytes += size;
    }
    await this.append(lines, bytes);
  }

  /** Makes everything written so far durable (fsync of the part and, after a new part, the directory). */
  async flush(): Promise<void> {
    const part = this.part;
    if (part !== undefined) await this.io(`fsync ${part.path}`, () => part.handle.sync());
    if (this.created) {
      await this.io('fsync the directory', () => syncDirectory(this.config.path));
      this.created = false;
    }
  }

  async close(): Promise<void> {
    const part = this.part;
    try {
      await this.flush();
    } finally {
      this.part = undefined;
      await part?.handle.close();
    }
  }

  private get prefix(): string {
    return this.config.prefix ?? 'part';
  }

  private mustRoll(part: Part, pendingRows: number, pendingBytes: number): boolean {
    if (part.rows + pendingRows === 0) return false;
    const maxBytes = this.config.rolling?.maxBytes ?? DEFAULT_MAX_PART_BYTES;
    if (part.bytes + pendingBytes > maxBytes) return true;
    const interval = this.config.rolling?.interval;
    return interval !== undefined && this.clock.now() - part.openedAt >= interval;
  }

  private async append(lines: string[], bytes: number): Promise<void> {
    const part = this.part;
    if (part === undefined || lines.length === 0) return;
    await this.io(`write ${part.path}`, () => part.handle.write(lines.join('')));
    part.bytes += bytes;
    part.rows += lines.length;
  }

  /** Finishes the current part (durably) and starts the next one. */
  private async roll(): Promise<void> {
    const previous = this.part;
    this.part = undefined;
    if (previous !== undefined) {
      await this.io(`fsync ${previous.path}`, () => previous.handle.sync());
      await this.io(`close ${previous.path}`, () => previous.handle.close());
    }
    const name = `${this.prefix}-${this.subtask}-${this.nextNumber++}.${this.config.format}`;
    const path = join(this.config.path, name);
    // 'wx' refuses to overwrite: two writers with the same prefix and subtask would clobber each other.
    const handle = await this.io(`create ${path}`, () => open(path, 'wx'));
    this.created = true;
    this.part = { path, handle, openedAt: this.clock.now(), bytes: 0, rows: 0 };
    if (this.columns !== undefined) {
      const header = `${formatCsvRow(this.columns, ',')}\n`;
      await this.io(`write ${path}`, () => handle.write(header));
      this.part.bytes = Buffer.byteLength(header);
    }
  }

  private format(value: unknown): string {
    if (this.config.format === 'jsonl') return toJson(value, 'file sink');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw unwritable('file sink (csv)', value, 'CSV rows must be objects whose keys are the columns');
    }
    const row = value as Record<string, unknown>;
    this.columns ??= Object.keys(row);
    return formatCsvRow(
      this.columns.map((column) => csvField(row[column])),
      ',',
    );
  }

  private async io<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new StreamError(
        'CON_FILE_WRITE_FAILED',
        `file sink cannot ${what} (in ${this.config.path}): ${reason}. Check free space and write permission.`,
        { cause, details: { path: this.config.path } },
      );
    }
  }
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return toJson(value, 'file sink (csv)');
  return String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** fsync of a directory makes the names of newly created files in it durable (Linux, macOS). */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const fileSinkSide = sinkSide(fileSinkConfig, (config) => new FileSinkWriter(config));

/**
 * Writes JSON lines or CSV part files into a directory; `flush()` (end of input) fsyncs them.
 *
 * @example
 * stream.sinkTo(fileSink({ path: './out', format: 'jsonl', rolling: { maxBytes: 1 << 20 } }));
 */
export function fileSink<T>(options: FileSinkOptions): SinkDescriptor<T> {
  const config = { ...options };
  parseConfig('file sink', fileSinkConfig, config);
  return { connector: 'file', config };
}
