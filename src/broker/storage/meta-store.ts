// A small durable key-value store for the broker's own metadata (committed offsets, group state). Each
// store is an append-only journal of JSON lines, `<crc32 hex> <json>\n`, folded now and then into a
// snapshot file. A torn or damaged journal tail is dropped on open. See docs/internals/storage.md.

import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { StreamError } from '../../common/errors.ts';
import { isErrno, readAt, writeAt, writeFileAtomic } from './file-io.ts';
import { GroupCommit } from './group-commit.ts';
import type { Durability } from './log-config.ts';
import { SerialQueue } from './serial-queue.ts';

/** One change: set `key` to `value`, or remove it when `delete` is true. */
export type MetaOp<V> = { key: string; value: V } | { key: string; delete: true };

/** How a store persists. */
export interface MetaStoreOptions {
  /** `fsync` (default): a write resolves after fdatasync. `os`: after write(). */
  durability?: Durability;
  /** Compact once the journal holds this many lines and more than twice the live keys (default 1000). */
  compactAfter?: number;
}

/** A line in the journal or snapshot: a list of [key, value] (set) or [key] (delete) pairs. */
type Line = Array<[string, unknown] | [string]>;

/**
 * A named, durable JSON key-value store. Changes are visible to get() at once; their promise resolves
 * when they are durable under the store's durability mode. Values must survive JSON round trips.
 *
 * @example
 * const offsets = await MetaStore.open<{ offset: number }>('/data/meta', 'offsets');
 * await offsets.put('group-a/orders/0', { offset: 42 });
 */
export class MetaStore<V = unknown> {
  readonly name: string;
  private readonly map = new Map<string, V>();
  private readonly snapshotPath: string;
  private readonly journal: FileHandle;
  private readonly durability: Durability;
  private readonly compactAfter: number;
  private readonly commit: GroupCommit;
  private journalSize = 0;
  private journalLines = 0;
  private readonly queue = new SerialQueue();
  private failure: StreamError | null = null;
  private closed = false;

  private constructor(dir: string, name: string, journal: FileHandle, options: MetaStoreOptions) {
    this.name = name;
    this.snapshotPath = join(dir, `${name}.snapshot`);
    this.journal = journal;
    this.durability = options.durability ?? 'fsync';
    this.compactAfter = options.compactAfter ?? 1000;
    this.commit = new GroupCommit(() => this.journal.datasync());
  }

  /** Opens (or creates) the store `name` (a plain file name) in `dir`, replaying snapshot and journal. */
  static async open<V = unknown>(
    dir: string,
    name: string,
    options: MetaStoreOptions = {},
  ): Promise<MetaStore<V>> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}.journal`);
    // Positional writes need a handle without O_APPEND, so open r+ and create only when missing.
    const journal = await open(path, 'r+').catch((error: unknown) => {
      if (isErrno(error, 'ENOENT')) return open(path, 'w+');
      throw error;
    });
    const store = new MetaStore<V>(dir, name, journal, options);
    await store.load();
    return store;
  }

  /** Current value of `key`. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Whether `key` has a value. */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Number of keys. */
  get size(): number {
    return this.map.size;
  }

  /** All [key, value] pairs, in first-insertion order. */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  /** Sets one key. */
  put(key: string, value: V): Promise<void> {
    return this.update([{ key, value }]);
  }

  /** Removes one key. */
  delete(key: string): Promise<void> {
    return this.update([{ key, delete: true }]);
  }

  /** Applies several changes atomically: after a crash either all of them are there or none. */
  async update(ops: ReadonlyArray<MetaOp<V>>): Promise<void> {
    this.checkWritable();
    const line: Line = ops.map((op) => ('delete' in op ? [op.key] : [op.key, op.value]));
    const bytes = encodeLine(line);
    for (const op of ops) {
      if ('delete' in op) this.map.delete(op.key);
      else this.map.set(op.key, op.value);
    }
    await this.queue.run(async () => {
      try {
        await writeAt(this.journal, bytes, this.journalSize);
      } catch (error) {
        throw this.fail(error);
      }
      this.journalSize += bytes.length;
      this.journalLines++;
      if (this.journalLines >= this.compactAfter && this.journalLines > 2 * this.map.size) {
        // Runs after this write in the chain; the writer does not wait for it.
        this.queue.run(() => this.compactNow()).catch(() => undefined);
      }
    });
    if (this.durability === 'fsync') await this.commit.sync();
  }

  /** Folds the journal into the snapshot file now. */
  compact(): Promise<void> {
    this.checkWritable();
    return this.queue.run(() => this.compactNow());
  }

  /** Flushes and closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.run(async () => {
      if (this.failure === null) await this.journal.datasync();
      this.closed = true;
      await this.journal.close();
    });
  }

  private async compactNow(): Promise<void> {
    if (this.failure !== null || this.closed) return;
    try {
      const lines = [...this.map.entries()].map(([k, v]) => encodeLine([[k, v]]));
      await writeFileAtomic(this.snapshotPath, Buffer.concat(lines));
      // A crash before this truncation replays the old journal over the new snapshot; since the snapshot
      // already reflects every journal line, replaying them gives the same state.
      await this.journal.truncate(0);
      await this.journal.datasync();
      this.journalSize = 0;
      this.journalLines = 0;
    } catch (error) {
      throw this.fail(error);
    }
  }

  private async load(): Promise<void> {
    const snapshot = await readWhole(this.snapshotPath);
    if (snapshot !== null) {
      const { end } = this.replay(snapshot);
      if (end !== snapshot.length) {
        throw new StreamError('BRK_STORAGE_CORRUPT', `${this.snapshotPath} is damaged at byte ${end}`, {
          details: { path: this.snapshotPath },
        });
      }
    }
    const journal = await readAt(this.journal, 0, (await this.journal.stat()).size);
    const { end, lines } = this.replay(journal);
    this.journalSize = end;
    this.journalLines = lines;
    if (end < journal.length) {
      // Torn or damaged tail from an unclean stop: drop it so new lines follow the last good one.
      await this.journal.truncate(end);
      await this.journal.datasync();
    }
  }

  /** Applies lines until the first torn or damaged one; returns where that is and how many were good. */
  private replay(buf: Buffer): { end: number; lines: number } {
    let at = 0;
    let lines = 0;
    while (at < buf.length) {
      const nl = buf.indexOf(0x0a, at);
      if (nl < 0) break;
      const line = decodeLine(buf.subarray(at, nl));
      if (line === null) break;
      for (const pair of line) {
        if (pair.length === 1) this.map.delete(pair[0]);
        else this.map.set(pair[0], pair[1] as V);
      }
      lines++;
      at = nl + 1;
    }
    return { end: at, lines };
  }

  private checkWritable(): void {
    if (this.closed) throw new StreamError('BRK_STORAGE_CLOSED', `meta store ${this.name} is closed`);
    if (this.failure !== null) throw this.failure;
  }

  private fail(error: unknown): StreamError {
    this.failure ??= new StreamError(
      'BRK_STORAGE_IO',
      `meta store ${this.name} stopped after an I/O error (${error instanceof Error ? error.message : String(error)}); ` +
        'fix the disk and restart the broker',
      { cause: error },
    );
    return this.failure;
  }
}

function encodeLine(line: Line): Buffer {
  const json = Buffer.from(JSON.stringify(line));
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(`${crc} `), json, Buffer.from('\n')]);
}

function decodeLine(bytes: Buffer): Line | null {
  if (bytes.length < 10 || bytes[8] !== 0x20) return null;
  const json = bytes.subarray(9);
  if (bytes.subarray(0, 8).toString('latin1') !== crc32(json).toString(16).padStart(8, '0')) return null;
  try {
    const line: unknown = JSON.parse(json.toString('utf8'));
    return Array.isArray(line) ? (line as Line) : null;
  } catch {
    return null;
  }
}

async function readWhole(path: string): Promise<Buffer | null> {
  try {
    const fh = await open(path, 'r');
    try {
      return await readAt(fh, 0, (await fh.stat()).size);
    } finally {
      await fh.close();
    }
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}
