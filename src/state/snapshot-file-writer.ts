import { open, unlink } from 'node:fs/promises';
import v8 from 'node:v8';
import { crc32c } from '@node-rs/crc32';
import { StreamError } from '../common/errors.ts';
import {
  approxSize,
  type ChunkRef,
  FORMAT_VERSION,
  type Footer,
  MAGIC,
  type OperatorStateRef,
  SECTION_ENTRIES,
  SECTION_TIMERS,
  TAG_ENTRY,
  TAG_RESET,
} from './snapshot-file-format.ts';
import type {
  KeyedStateEntry,
  OperatorListState,
  SnapshotChainLink,
  SnapshotWriter,
  TimerEntry,
} from './snapshot-format.ts';

/** A chunk goes to disk once its records reach about this many bytes. */
const CHUNK_BYTES = 64 * 1024;
/** drain() waits while more than this many bytes are queued for the disk. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** What finish() reports: the file's size and the key groups it holds entries or timers of. */
export interface SnapshotFileInfo {
  readonly bytes: number;
  readonly keyGroups: number[];
  /** Set when the writer was placed in an incremental chain (see SnapshotChainLink). */
  readonly chain?: SnapshotChainLink;
}

/** Where the bytes go: a file, or memory (the operator harness). Writes come one at a time, in order. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  /** All bytes are written: make them durable and release the sink. */
  close(): Promise<void>;
  /** Give up: release the sink and drop what was written. */
  abort(): Promise<void>;
}

/** Records of one (section, key group) not yet written, in a v8 Serializer stream. */
class OpenChunk {
  readonly section: number;
  readonly keyGroup: number;
  serializer = startSerializer();
  records = 0;
  bytes = 0;

  constructor(section: number, keyGroup: number) {
    this.section = section;
    this.keyGroup = keyGroup;
  }
}

/**
 * Writes one operator subtask's snapshot in the canonical file format (snapshot-file-format.ts).
 * Methods serialize their record at once (so live values may change right after) into a per key group
 * buffer; full buffers are queued for the sink, which writes asynchronously. finish() writes the rest,
 * the index and the trailer.
 */
export class SnapshotFileWriter implements SnapshotWriter {
  private readonly sink: ByteSink;
  private readonly name: string;
  private readonly open = new Map<number, OpenChunk>();
  private readonly chunks: ChunkRef[] = [];
  private readonly operatorStates: OperatorStateRef[] = [];
  private readonly groups = new Set<number>();
  private link: SnapshotChainLink | undefined;
  private offset = 0;
  private fileCrc = 0;
  private queued = 0;
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;

  constructor(sink: ByteSink, name: string) {
    this.sink = sink;
    this.name = name;
    this.enqueue(Buffer.concat([MAGIC, Buffer.from([FORMAT_VERSION])]));
  }

  keyedEntry(keyGroup: number, entry: KeyedStateEntry): void {
    const { state, key, namespace, kind, value, touchedAt, stamps } = entry;
    const record = [TAG_ENTRY, state, key, namespace, kind, value, touchedAt, stamps];
    this.record(SECTION_ENTRIES, keyGroup, record, state.length + approxSize(key) + approxSize(value) + 24);
  }

  resetKey(keyGroup: number, key: unknown): void {
    this.record(SECTION_ENTRIES, keyGroup, [TAG_RESET, key], approxSize(key) + 4);
  }

  timer(keyGroup: number, timer: TimerEntry): void {
    const domain = timer.domain === 'event' ? 0 : 1;
    const record = [domain, timer.key, timer.namespace, timer.time, timer.order];
    this.record(SECTION_TIMERS, keyGroup, record, approxSize(timer.key) + timer.namespace.length + 24);
  }

  operatorState(state: OperatorListState): void {
    this.check();
    const bytes = this.serializing(`operator state "${state.name}"`, () => v8.serialize(state.items));
    const ref = { name: state.name, mode: state.mode, offset: this.offset, length: bytes.length };
    this.operatorStates.push({ ...ref, crc: crc32c(bytes) });
    this.enqueue(bytes);
  }

  chain(link: SnapshotChainLink): void {
    this.link = link;
  }

  drain(): Promise<void> {
    return this.queued > MAX_QUEUED_BYTES ? this.tail : Promise.resolve();
  }

  /** Writes what is buffered, the index and the trailer, and makes the file durable. */
  async finish(): Promise<SnapshotFileInfo> {
    this.check();
    this.closed = true;
    for (const slot of [...this.open.keys()].sort((a, b) => a - b)) this.flush(this.open.get(slot)!);
    const keyGroups = [...this.groups].sort((a, b) => a - b);
    const footer: Footer = {
      version: FORMAT_VERSION,
      chain: this.link,
      chunks: this.chunks,
      operatorStates: this.operatorStates,
      keyGroups,
    };
    const footerBytes = v8.serialize(footer);
    this.enqueue(footerBytes);
    const trailer = Buffer.alloc(12);
    trailer.writeUInt32LE(footerBytes.length, 0);
    trailer.writeUInt32LE(crc32c(footerBytes), 4);
    trailer.writeUInt32LE(this.fileCrc, 8);
    this.enqueue(Buffer.concat([trailer, MAGIC]));
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
    try {
      await this.sink.close();
    } catch (cause) {
      throw this.writeFailed(cause);
    }
    return { bytes: this.offset, keyGroups, chain: this.link };
  }

  /** Gives up on the snapshot (a failed checkpoint) and removes what was written. */
  async abort(): Promise<void> {
    this.closed = true;
    this.failure ??= new StreamError('ENG_CHECKPOINT_FAILED', `snapshot ${this.name} was aborted`);
    await this.tail;
    await this.sink.abort();
  }

  private record(section: number, keyGroup: number, record: unknown[], size: number): void {
    this.check();
    const slot = keyGroup * 2 + section;
    let chunk = this.open.get(slot);
    if (chunk === undefined) {
      chunk = new OpenChunk(section, keyGroup);
      this.open.set(slot, chunk);
      this.groups.add(keyGroup);
    }
    const target = chunk;
    this.serializing(describe(record, section), () => target.serializer.writeValue(record));
    chunk.records++;
    chunk.bytes += size;
    if (chunk.bytes >= CHUNK_BYTES) this.flush(chunk);
  }

  private flush(chunk: OpenChunk): void {
    if (chunk.records === 0) return;
    const bytes = chunk.serializer.releaseBuffer();
    this.chunks.push([
      chunk.section,
      chunk.keyGroup,
      this.offset,
      bytes.length,
      chunk.records,
      crc32c(bytes),
    ]);
    this.enqueue(bytes);
    chunk.serializer = startSerializer();
    chunk.records = 0;
    chunk.bytes = 0;
  }

  private enqueue(bytes: Uint8Array): void {
    this.offset += bytes.length;
    this.fileCrc = crc32c(bytes, this.fileCrc);
    this.queued += bytes.length;
    this.tail = this.tail.then(async () => {
      this.queued -= bytes.length;
      if (this.failure !== undefined) return;
      try {
        await this.sink.write(bytes);
      } catch (cause) {
        this.failure = this.writeFailed(cause);
      }
    });
  }

  /** Serialization errors (a function or symbol in state) leave the stream unusable: fail the writer. */
  private serializing<T>(what: string, run: () => T): T {
    try {
      return run();
    } catch (cause) {
      this.failure = new StreamError(
        'ENG_CHECKPOINT_FAILED',
        `${what} cannot be written to snapshot ${this.name}: ${(cause as Error).message}; keep only structured-cloneable data in state (no functions, symbols or class instances that need their prototype)`,
        { cause },
      );
      throw this.failure;
    }
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) {
      throw new StreamError('ENG_INTERNAL', `snapshot ${this.name} was written to after finish() or abort()`);
    }
  }

  private writeFailed(cause: unknown): StreamError {
    return new StreamError(
      'ENG_CHECKPOINT_FAILED',
      `writing snapshot ${this.name} failed: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function startSerializer(): v8.Serializer {
  const serializer = new v8.Serializer();
  serializer.writeHeader();
  return serializer;
}

function describe(record: unknown[], section: number): string {
  if (section === SECTION_TIMERS) return `a timer of key ${String(record[1])}`;
  if (record[0] === TAG_RESET) return `key ${String(record[1])}`;
  return `state "${String(record[1])}" of key ${String(record[2])}`;
}

/** A sink writing a new file at `path` (replacing any), made durable with fdatasync on close. */
export function fileSink(path: string): ByteSink {
  const handle = open(path, 'w');
  // Failures surface through write(), close() or abort(); keep this promise from being unhandled.
  handle.catch(() => {});
  return {
    async write(bytes) {
      const fh = await handle;
      for (let done = 0; done < bytes.length; ) {
        const { bytesWritten } = await fh.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    },
    async close() {
      const fh = await handle;
      await fh.datasync();
      await fh.close();
    },
    async abort() {
      await (await handle.catch(() => undefined))?.close();
      await unlink(path).catch(() => {});
    },
  };
}

/** A sink collecting the bytes in memory; `bytes()` is the whole file once closed. */
export function memorySink(): ByteSink & { bytes(): Buffer } {
  const parts: Uint8Array[] = [];
  return {
    write: async (bytes) => {
      parts.push(bytes);
    },
    close: async () => {},
    abort: async () => {
      parts.length = 0;
    },
    bytes: () => Buffer.concat(parts),
  };
}
