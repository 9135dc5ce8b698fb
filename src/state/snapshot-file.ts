import { openSnapshotSources, type SnapshotTarget } from './snapshot-file-reader.ts';
import { fileSink, memorySink, type SnapshotFileInfo, SnapshotFileWriter } from './snapshot-file-writer.ts';
import type { SnapshotReader, SnapshotWriter } from './snapshot-format.ts';
import { bufferSource, fileSource, verifySnapshotFile as verifySource } from './snapshot-sources.ts';

export type { SnapshotTarget } from './snapshot-file-reader.ts';
export type { SnapshotFileInfo } from './snapshot-file-writer.ts';

/**
 * A SnapshotWriter for one file (with the optional chain/resetKey/drain); `finish()` completes it,
 * `abort()` removes it (failed checkpoint).
 */
export type SnapshotFileWriterHandle = Required<SnapshotWriter> & {
  finish(): Promise<SnapshotFileInfo>;
  abort(): Promise<void>;
};

/**
 * Writes one operator subtask's snapshot to a new immutable file at `path`: records grouped by key
 * group with an index at the end and crc32c checksums. It may be fed synchronously (each call
 * serializes its record at once); bytes go to disk asynchronously, `finish()` fdatasyncs the file.
 *
 * @example
 * const writer = createSnapshotFileWriter('/state/job/chk-7/window-0.snap');
 * operator.snapshotState?.(7, writer);
 * await backend.snapshot(writer, { checkpointId: 7 });
 * const { bytes, keyGroups } = await writer.finish();
 */
export function createSnapshotFileWriter(path: string): SnapshotFileWriterHandle {
  return new SnapshotFileWriter(fileSink(path), path);
}

/** The same format in memory (the operator harness); `finish()` also returns the bytes. */
export function createSnapshotBufferWriter(): BufferSnapshotWriter {
  return new BufferSnapshotWriter();
}

export class BufferSnapshotWriter extends SnapshotFileWriter {
  private readonly memory: ReturnType<typeof memorySink>;

  constructor() {
    const sink = memorySink();
    super(sink, 'in-memory snapshot');
    this.memory = sink;
  }

  override async finish(): Promise<SnapshotFileInfo & { readonly data: Buffer }> {
    return { ...(await super.finish()), data: this.memory.bytes() };
  }
}

/**
 * Reads the snapshot files of every old subtask of one operator (in old subtask order, with every link
 * of incremental chains) for one new subtask: its key groups' keyed entries and timers, and its share
 * of operator list states ('split' round-robin over the concatenation, 'union' whole). Fails with
 * ENG_SNAPSHOT_CORRUPT for a torn or damaged file and ENG_RESTORE_FAILED for a missing one.
 *
 * @example
 * const reader = await openSnapshotReader(oldFiles, { keyGroups: { start: 43, end: 85 }, subtaskIndex: 1, parallelism: 3 });
 * await backend.restore(reader);
 */
export function openSnapshotReader(
  files: readonly string[],
  target: SnapshotTarget,
): Promise<SnapshotReader> {
  return openSnapshotSources(files.map(fileSource), target);
}

/** openSnapshotReader over snapshots held in memory (from createSnapshotBufferWriter). */
export function openSnapshotBuffers(
  snapshots: readonly Uint8Array[],
  target: SnapshotTarget,
): Promise<SnapshotReader> {
  return openSnapshotSources(
    snapshots.map((bytes, i) => bufferSource(bytes, `in-memory snapshot ${i}`)),
    target,
  );
}

/** Checks a file's whole-file checksum (the reader checks only what it reads). */
export function verifySnapshotFile(path: string): Promise<void> {
  return verifySource(fileSource(path));
}
