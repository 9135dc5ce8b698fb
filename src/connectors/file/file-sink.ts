import { type FileHandle, mkdir, open, readdir, rename } from 'node:fs/promises';
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
import {
  commitPart,
  type FileSinkPrepared,
  isFileSinkPrepared,
  type PartState,
  parsePartName,
  partName,
  removeIfPresent,
  syncDirectory,
} from './part-files.ts';

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
  readonly number: number;
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
 *
 * With checkpoints, parts are written under hidden in-progress names, closed as pending at a barrier
 * (prepareCommit) and renamed to their names when the checkpoint commits (see part-files.ts).
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
  /** Checkpointing: parts go in-progress → pending → committed. */
  private twoPhase = false;
  /** Pending parts finished since the last barrier. */
  private finished: number[] = [];
  /** Pending parts by the checkpoint that commits them. */
  private prepared = new Map<number, number[]>();
  private recovered: readonly unknown[] = [];

  /** `clock` decides when a part is old enough to roll; tests pass a ManualClock. */
  constructor(config: FileSinkConfig, clock: Clock = systemClock) {
    this.config = config;
    this.clock = clock;
  }

  /** Before open(), on restore: the pending parts of the restored checkpoint, which open() commits. */
  recover(prepared: readonly unknown[], _checkpointId: number): void {
    this.recovered = prepared;
  }

  async open(ctx: SinkContext): Promise<void> {
    this.subtask = ctx.subtaskIndex;
    this.twoPhase = ctx.checkpointing !== undefined;
    const dir = this.config.path;
    await this.io('create the directory', () => mkdir(dir, { recursive: true }));
    if (this.twoPhase) await this.recoverParts(ctx.parallelism);
    const names = await this.io('list the directory', () => readdir(dir));
    for (const name of names) {
      const part = parsePartName(this.prefix, this.config.format, name);
      if (part?.subtask === this.subtask) this.nextNumber = Math.max(this.nextNumber, part.number + 1);
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

  /**
   * End of input: makes everything written so far durable (fsync of the part and, after a new part, the
   * directory). With checkpoints it also commits every part: the job's input is complete.
   */
  async flush(): Promise<void> {
    if (this.twoPhase) {
      await this.finishPart();
      await this.commitUpTo(Number.POSITIVE_INFINITY);
      return;
    }
    const part = this.part;
    if (part !== undefined) await this.io(`fsync ${part.path}`, () => part.handle.sync());
    if (this.created) {
      await this.io('fsync the directory', () => syncDirectory(this.config.path));
      this.created = false;
    }
  }

  /** Checkpoint barrier: the current part is closed as pending; returns the parts the checkpoint commits. */
  async prepareCommit(checkpointId: number): Promise<FileSinkPrepared> {
    if (!this.twoPhase) {
      await this.flush();
      return { directory: this.config.path, files: [] };
    }
    await this.finishPart();
    await this.io('fsync the directory', () => syncDirectory(this.config.path));
    const numbers = this.finished;
    this.finished = [];
    this.prepared.set(checkpointId, numbers);
    return { directory: this.config.path, files: numbers.map((n) => this.name(n, 'pending')) };
  }

  /** The checkpoint is durable: its pending parts (and those of earlier unfinished ones) get their names. */
  async commit(checkpointId: number): Promise<void> {
    await this.commitUpTo(checkpointId);
  }

  /** With checkpoints an unfinished part is left for the next open() to delete; a pending one for recovery. */
  async close(): Promise<void> {
    const part = this.part;
    try {
      if (!this.twoPhase) await this.flush();
    } finally {
      this.part = undefined;
      await part?.handle.close();
    }
  }

  private name(number: number, state: PartState): string {
    return partName(this.prefix, this.config.format, { subtask: this.subtask, number, state });
  }

  /** Closes the current part durably; with checkpoints it becomes pending. */
  private async finishPart(): Promise<void> {
    const part = this.part;
    this.part = undefined;
    if (part === undefined) return;
    await this.io(`fsync ${part.path}`, () => part.handle.sync());
    await this.io(`close ${part.path}`, () => part.handle.close());
    if (!this.twoPhase) return;
    const pending = join(this.config.path, this.name(part.number, 'pending'));
    await this.io(`rename ${part.path}`, () => rename(part.path, pending));
    this.finished.push(part.number);
  }

  private async commitUpTo(checkpointId: number): Promise<void> {
    const due = [...this.prepared.keys()].filter((id) => id <= checkpointId).sort((a, b) => a - b);
    const numbers = due.flatMap((id) => this.prepared.get(id) ?? []);
    if (checkpointId === Number.POSITIVE_INFINITY) numbers.push(...this.finished.splice(0));
    if (numbers.length === 0) return;
    for (const n of numbers) {
      const [pending, committed] = [this.name(n, 'pending'), this.name(n, 'committed')];
      await this.io(`commit ${pending}`, () => commitPart(this.config.path, pending, committed));
    }
    for (const id of due) this.prepared.delete(id);
    await this.io('fsync the directory', () => syncDirectory(this.config.path));
  }

  /**
   * Commits the pending parts of the restored checkpoint (all subtasks' lists, so parts of subtasks a
   * rescale removed are committed too), then deletes this subtask's other unfinished parts (and, on
   * subtask 0, those of subtasks that no longer exist): their records will be written again.
   */
  private async recoverParts(parallelism: number): Promise<void> {
    const dir = this.config.path;
    const kept = new Set<string>();
    for (const prepared of this.recovered) {
      if (!isFileSinkPrepared(prepared) || prepared.directory !== dir) continue;
      for (const pending of prepared.files) {
        const part = parsePartName(this.prefix, this.config.format, pending);
        if (part === undefined) continue;
        const committed = partName(this.prefix, this.config.format, { ...part, state: 'committed' });
        await this.io(`commit ${pending}`, () => commitPart(dir, pending, committed));
        kept.add(pending);
      }
    }
    const names = await this.io('list the directory', () => readdir(dir));
    for (const name of names) {
      const part = parsePartName(this.prefix, this.config.format, name);
      if (part === undefined || part.state === 'committed' || kept.has(name)) continue;
      const mine = part.subtask === this.subtask || (this.subtask === 0 && part.subtask >= parallelism);
      if (mine) await this.io(`delete ${name}`, () => removeIfPresent(join(dir, name)));
    }
    await this.io('fsync the directory', () => syncDirectory(dir));
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
    await this.finishPart();
    const number = this.nextNumber++;
    const path = join(this.config.path, this.name(number, this.twoPhase ? 'inprogress' : 'committed'));
    // 'wx' refuses to overwrite: two writers with the same prefix and subtask would clobber each other.
    const handle = await this.io(`create ${path}`, () => open(path, 'wx'));
    this.created = true;
    this.part = { number, path, handle, openedAt: this.clock.now(), bytes: 0, rows: 0 };
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
