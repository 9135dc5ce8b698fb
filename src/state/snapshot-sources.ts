import { closeSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import v8 from 'node:v8';
import { crc32c } from '@node-rs/crc32';
import { StreamError } from '../common/errors.ts';
import {
  type ChunkRef,
  FORMAT_VERSION,
  type Footer,
  HEADER_LENGTH,
  MAGIC,
  type OperatorStateRef,
  TRAILER_LENGTH,
} from './snapshot-file-format.ts';

/** Reads byte ranges of one snapshot, synchronously (the reader's iterables are synchronous). */
export interface ByteReader {
  read(offset: number, length: number): Buffer;
  close(): void;
}

/** A snapshot file on disk, or the bytes of one in memory (the operator harness keeps them there). */
export interface ByteSource {
  readonly name: string;
  size(): Promise<number>;
  readAsync(offset: number, length: number): Promise<Buffer>;
  openSync(): ByteReader;
}

export function fileSource(path: string): ByteSource {
  return {
    name: path,
    size: async () => (await stat(path)).size,
    async readAsync(offset, length) {
      const fh = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buffer, 0, length, offset);
        return buffer.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    openSync() {
      const fd = openSync(path, 'r');
      return {
        read(offset, length) {
          const buffer = Buffer.allocUnsafe(length);
          let done = 0;
          while (done < length) {
            const n = readSync(fd, buffer, done, length - done, offset + done);
            if (n === 0) break;
            done += n;
          }
          return buffer.subarray(0, done);
        },
        close: () => closeSync(fd),
      };
    },
  };
}

export function bufferSource(bytes: Uint8Array, name = 'in-memory snapshot'): ByteSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (offset: number, length: number) => buffer.subarray(offset, offset + length);
  return {
    name,
    size: async () => buffer.length,
    readAsync: async (offset, length) => read(offset, length),
    openSync: () => ({ read, close: () => {} }),
  };
}

/** One validated snapshot: its footer, and its chunks by (key group, section). */
export class SnapshotFile {
  readonly source: ByteSource;
  readonly footer: Footer;
  private readonly index = new Map<number, ChunkRef[]>();

  constructor(source: ByteSource, footer: Footer) {
    this.source = source;
    this.footer = footer;
    for (const ref of footer.chunks) {
      const slot = ref[1] * 2 + ref[0];
      const list = this.index.get(slot);
      if (list === undefined) this.index.set(slot, [ref]);
      else list.push(ref);
    }
  }

  get name(): string {
    return this.source.name;
  }

  chunks(section: number, keyGroup: number): readonly ChunkRef[] {
    return this.index.get(keyGroup * 2 + section) ?? [];
  }

  /** The records of one chunk, checksum verified. */
  *records(reader: ByteReader, ref: ChunkRef): Generator<unknown[]> {
    const [, keyGroup, offset, length, count, crc] = ref;
    const bytes = reader.read(offset, length);
    if (bytes.length !== length || crc32c(bytes) !== crc) {
      throw corrupt(this.name, `its records of key group ${keyGroup} at byte ${offset} fail their checksum`);
    }
    const deserializer = new v8.Deserializer(bytes);
    deserializer.readHeader();
    for (let i = 0; i < count; i++) yield deserializer.readValue() as unknown[];
  }

  async operatorItems(ref: OperatorStateRef): Promise<unknown[]> {
    const bytes = await this.source.readAsync(ref.offset, ref.length);
    if (bytes.length !== ref.length || crc32c(bytes) !== ref.crc) {
      throw corrupt(this.name, `its operator state "${ref.name}" fails its checksum`);
    }
    return v8.deserialize(bytes) as unknown[];
  }
}

/** Opens a snapshot: checks header, trailer and the index's checksum (chunks are checked as read). */
export async function openSnapshotFile(source: ByteSource): Promise<SnapshotFile> {
  let size: number;
  try {
    size = await source.size();
  } catch (cause) {
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `snapshot file ${source.name} cannot be read (${(cause as Error).message}); restore a checkpoint whose files are all present`,
      { cause, details: { file: source.name } },
    );
  }
  if (size < HEADER_LENGTH + TRAILER_LENGTH) throw corrupt(source.name, `it has only ${size} bytes`);
  const header = await source.readAsync(0, HEADER_LENGTH);
  if (!header.subarray(0, MAGIC.length).equals(MAGIC))
    throw corrupt(source.name, 'it is not an eddy snapshot file');
  const version = header[MAGIC.length];
  if (version > FORMAT_VERSION) {
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `snapshot file ${source.name} has format version ${version}, but this eddy reads up to ${FORMAT_VERSION}; restore it with a newer eddy`,
      { details: { file: source.name, version } },
    );
  }
  const trailer = await source.readAsync(size - TRAILER_LENGTH, TRAILER_LENGTH);
  if (!trailer.subarray(12).equals(MAGIC)) {
    throw corrupt(source.name, 'it does not end with its trailer (the write was cut short)');
  }
  const footerLength = trailer.readUInt32LE(0);
  const footerStart = size - TRAILER_LENGTH - footerLength;
  if (footerStart < HEADER_LENGTH) throw corrupt(source.name, 'its index length does not fit the file');
  const footerBytes = await source.readAsync(footerStart, footerLength);
  if (crc32c(footerBytes) !== trailer.readUInt32LE(4))
    throw corrupt(source.name, 'its index fails its checksum');
  return new SnapshotFile(source, v8.deserialize(footerBytes) as Footer);
}

/**
 * Checks the checksum over the whole file (header, every chunk and the index), reading it once. The
 * reader checks only the parts it reads; this is for tools and tests that want the whole file checked.
 */
export async function verifySnapshotFile(source: ByteSource): Promise<void> {
  await openSnapshotFile(source);
  const size = await source.size();
  const trailer = await source.readAsync(size - TRAILER_LENGTH, TRAILER_LENGTH);
  let crc = 0;
  const step = 4 * 1024 * 1024;
  for (let at = 0; at < size - TRAILER_LENGTH; at += step) {
    crc = crc32c(await source.readAsync(at, Math.min(step, size - TRAILER_LENGTH - at)), crc);
  }
  if (crc !== trailer.readUInt32LE(8)) throw corrupt(source.name, 'its file checksum does not match');
}

export function corrupt(name: string, why: string): StreamError {
  return new StreamError(
    'ENG_SNAPSHOT_CORRUPT',
    `snapshot file ${name} is incomplete or damaged: ${why}; restore an earlier checkpoint or savepoint`,
    { details: { file: name } },
  );
}
