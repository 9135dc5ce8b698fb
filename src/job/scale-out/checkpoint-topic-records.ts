/**
 * How a task's checkpoints are laid out in its partition of `<jobId>-checkpoints` (see checkpoint-topic.ts).
 * Paths are relative to the task's `checkpoints` directory, '/'-separated (`chk-5/_metadata.json`,
 * `chk-3/map-2-0.snap` for a base file of an incremental checkpoint 5).
 *
 * - chunk: key `<N>/<path>/<i>`, value = bytes [offset, offset + CHUNK_BYTES) of the file; headers
 *   `eddy-checkpoint` N, `eddy-upload` U (random per publish), `eddy-chunk` `i/n`, `eddy-offset`,
 *   `eddy-size` (the whole file's).
 * - seal: key `<N>/seal`, value = JSON {@link UploadSeal} (every file with size, sha256 and chunk
 *   count), sent only after every chunk of upload U was acknowledged.
 * - tombstone: a chunk's or seal's key with a null value (the topic is compacted).
 *
 * Checkpoint N is complete when its seal is live and, for every chunk the seal lists, the newest record
 * of that key is live and belongs to the seal's upload: a publisher killed half-way leaves no seal, and
 * chunks of an earlier or later attempt at the same N never mix with the sealed one.
 */
import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { MessageToProduce, Producer } from '@platformatic/kafka';
import { StreamError } from '../../common/errors.ts';
import { MANIFEST_FILE, stateFilesOf } from '../../engine/checkpoint/manifest.ts';
import { readManifest } from '../../engine/checkpoint/storage.ts';
import { type FetchedRecord, PartitionConsumer, partitionKey } from '../../kafka/partition-consumer.ts';

/** Bytes per chunk record: two fit one produce batch well under Kafka's default 1 MiB max.message.bytes. */
export const CHUNK_BYTES = 256 * 1024;
const SEAL_FORMAT = 1;

export interface SealedFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly chunks: number;
}

/** The value of a seal record: what a complete upload of checkpoint N holds. */
export interface UploadSeal {
  readonly format: number;
  readonly checkpointId: number;
  readonly upload: string;
  readonly files: readonly SealedFile[];
}

/** A chunk record's headers, decoded. */
export interface ChunkInfo {
  readonly checkpointId: number;
  readonly upload: string;
  readonly path: string;
  readonly index: number;
  readonly offset: number;
}

export const chunkKey = (checkpointId: number, path: string, index: number): string =>
  `${checkpointId}/${path}/${index}`;
export const sealKey = (checkpointId: number): string => `${checkpointId}/seal`;
/** The path of checkpoint N's manifest inside the checkpoints directory. */
export const manifestPath = (checkpointId: number): string => `chk-${checkpointId}/${MANIFEST_FILE}`;

export function chunkHeaders(
  info: ChunkInfo & { readonly chunks: number; readonly size: number },
): Map<Buffer, Buffer> {
  const entries: [string, string][] = [
    ['eddy-checkpoint', String(info.checkpointId)],
    ['eddy-upload', info.upload],
    ['eddy-chunk', `${info.index}/${info.chunks}`],
    ['eddy-offset', String(info.offset)],
    ['eddy-size', String(info.size)],
  ];
  return new Map(entries.map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
}

/** The chunk a record holds, or undefined when its headers are not a chunk's (another writer's record). */
export function parseChunk(record: FetchedRecord): ChunkInfo | undefined {
  const headers = new Map<string, string>();
  for (const [k, v] of record.headers)
    if (k !== null && v !== null) headers.set(k.toString('utf8'), v.toString('utf8'));
  const key = record.key?.toString('utf8');
  const upload = headers.get('eddy-upload');
  const checkpointId = Number(headers.get('eddy-checkpoint'));
  const index = Number(headers.get('eddy-chunk')?.split('/')[0]);
  const offset = Number(headers.get('eddy-offset'));
  if (key === undefined || !/^[0-9a-f]{1,64}$/.test(upload ?? '')) return undefined;
  if (![checkpointId, index, offset].every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  const prefix = `${checkpointId}/`;
  const suffix = `/${index}`;
  if (!key.startsWith(prefix) || !key.endsWith(suffix)) return undefined;
  const path = key.slice(prefix.length, key.length - suffix.length);
  return isSafePath(path) ? { checkpointId, upload: upload!, path, index, offset } : undefined;
}

/** The seal in a record value, or undefined when it is not a seal of `checkpointId` this code can read. */
export function parseSeal(value: Buffer, checkpointId: number): UploadSeal | undefined {
  let seal: UploadSeal;
  try {
    seal = JSON.parse(value.toString('utf8')) as UploadSeal;
  } catch {
    return undefined;
  }
  if (seal?.format !== SEAL_FORMAT || seal.checkpointId !== checkpointId || !Array.isArray(seal.files))
    return undefined;
  if (typeof seal.upload !== 'string' || !/^[0-9a-f]{1,64}$/.test(seal.upload)) return undefined;
  const valid = seal.files.every(
    (f) =>
      typeof f.path === 'string' &&
      isSafePath(f.path) &&
      Number.isSafeInteger(f.size) &&
      Number.isSafeInteger(f.chunks) &&
      typeof f.sha256 === 'string',
  );
  return valid ? seal : undefined;
}

export function sealValue(checkpointId: number, upload: string, files: readonly SealedFile[]): Buffer {
  return Buffer.from(JSON.stringify({ format: SEAL_FORMAT, checkpointId, upload, files }));
}

/**
 * Whether `seal`'s upload is whole: it holds the manifest, and the newest record of every chunk key it
 * lists (`owners`: key → upload, null after a tombstone) belongs to it.
 */
export function isCompleteUpload(seal: UploadSeal, owners: ReadonlyMap<string, string | null>): boolean {
  if (!seal.files.some((f) => f.path === manifestPath(seal.checkpointId))) return false;
  for (const file of seal.files)
    for (let i = 0; i < file.chunks; i++)
      if (owners.get(chunkKey(seal.checkpointId, file.path, i)) !== seal.upload) return false;
  return true;
}

/** A path a fetch may write: relative, '/'-separated, never climbing out of the checkpoints directory. */
export function isSafePath(path: string): boolean {
  const parts = path.split('/');
  return (
    path.length > 0 &&
    !path.includes('\\') &&
    !path.includes('\0') &&
    parts.every((p) => p !== '' && p !== '.' && p !== '..')
  );
}

export interface CheckpointFile {
  /** Relative to the checkpoints directory (see isSafePath). */
  readonly path: string;
  readonly absolute: string;
}

/**
 * The files that make up checkpoint `dir` (a `.../checkpoints/chk-N` directory): everything in it, and
 * every state file its manifest names outside it (incremental base files in older `chk-M`), with the
 * manifest last. Throws ENG_CHECKPOINT_FAILED when the manifest is missing or names a file outside the
 * checkpoints directory.
 */
export async function checkpointFiles(dir: string): Promise<CheckpointFile[]> {
  const absoluteDir = resolve(dir);
  const root = dirname(absoluteDir);
  const { manifest } = await readManifest(absoluteDir).catch((cause: unknown) => {
    throw new StreamError(
      'ENG_CHECKPOINT_FAILED',
      `cannot publish checkpoint directory ${absoluteDir}: its ${MANIFEST_FILE} is missing or unreadable; ` +
        'publish a checkpoint only after its manifest is written',
      { cause, details: { dir: absoluteDir } },
    );
  });
  const absolutes = new Set<string>();
  // A `.tmp` file is a write that never finished (storage.ts renames finished ones); it is no part of N.
  for (const entry of await readdir(absoluteDir, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && !entry.name.endsWith('.tmp')) absolutes.add(join(entry.parentPath, entry.name));
  for (const op of manifest.operators)
    for (const entry of op.subtasks)
      for (const file of stateFilesOf(entry)) absolutes.add(resolve(absoluteDir, file));
  const manifestFile = join(absoluteDir, MANIFEST_FILE);
  absolutes.delete(manifestFile);
  const files: CheckpointFile[] = [];
  for (const absolute of [...[...absolutes].sort(), manifestFile]) {
    const path = relative(root, absolute).split(sep).join('/');
    if (isAbsolute(path) || !isSafePath(path))
      throw new StreamError(
        'ENG_CHECKPOINT_FAILED',
        `checkpoint ${absoluteDir} names the state file ${absolute}, which is outside ${root}; only files ` +
          'under the checkpoints directory can be published',
        { details: { dir: absoluteDir, file: absolute } },
      );
    files.push({ path, absolute });
  }
  return files;
}

/**
 * Reads a file chunk by chunk (CHUNK_BYTES each; none for an empty file), handing each to `onChunk`
 * before reading the next, and returns its size and sha256.
 *
 * @example const { size, sha256 } = await readChunks('/s/chk-1/a.snap', (bytes, at) => send(bytes, at.index));
 */
export async function readChunks(
  absolute: string,
  onChunk: (
    bytes: Buffer,
    at: { index: number; offset: number; size: number; chunks: number },
  ) => Promise<void>,
): Promise<{ size: number; sha256: string; chunks: number }> {
  const handle = await open(absolute, 'r');
  try {
    const { size } = await handle.stat();
    const hash = createHash('sha256');
    const chunks = Math.ceil(size / CHUNK_BYTES);
    for (let index = 0; index < chunks; index++) {
      const offset = index * CHUNK_BYTES;
      const bytes = Buffer.alloc(Math.min(CHUNK_BYTES, size - offset));
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, offset + filled);
        if (bytesRead === 0) throw new Error(`${absolute} became shorter while it was read`);
        filled += bytesRead;
      }
      hash.update(bytes);
      await onChunk(bytes, { index, offset, size, chunks });
    }
    return { size, sha256: hash.digest('hex'), chunks };
  } finally {
    await handle.close();
  }
}

/**
 * Hands every record of one partition to `onRecord`, in offset order, from the earliest offset to the end
 * offset at the start of the call.
 *
 * @example await scanPartition({ bootstrap, topic: 'clicks-checkpoints', partition: 0 }, (r) => seen.push(r));
 */
export async function scanPartition(
  where: { readonly bootstrap: string; readonly topic: string; readonly partition: number },
  onRecord: (record: FetchedRecord) => Promise<void> | void,
): Promise<void> {
  const consumer = new PartitionConsumer({ bootstrap: where.bootstrap, clientId: 'eddy-checkpoint-fetch' });
  try {
    const tp = { topic: where.topic, partition: where.partition };
    let offset = (await consumer.listOffsets([tp], 'earliest')).get(partitionKey(tp)) ?? 0n;
    const end = (await consumer.listOffsets([tp], 'latest')).get(partitionKey(tp)) ?? 0n;
    let emptyFetches = 0;
    while (offset < end) {
      const [fetched] = await consumer.fetch([{ ...tp, offset }], 500);
      if (fetched === undefined || fetched.nextOffset <= offset) {
        // Below the end offset there is always something to return; a broker that keeps answering
        // nothing must not hold a restore forever.
        if (++emptyFetches > 20) throw new Error(`no records at offset ${offset} below end offset ${end}`);
        continue;
      }
      emptyFetches = 0;
      for (const record of fetched.records) if (record.offset < end) await onRecord(record);
      offset = fetched.nextOffset;
    }
  } finally {
    await consumer.close();
  }
}

/** Records per produce request stay under this (one batch, below the 1 MiB max.message.bytes default). */
const REQUEST_BYTES = 512 * 1024;
/** Unacknowledged requests before sending waits for the oldest. */
const MAX_IN_FLIGHT = 4;

/**
 * Packs records into produce requests of about REQUEST_BYTES and keeps a few unacknowledged; drain()
 * resolves once all are acknowledged (or rejects with the first failure).
 *
 * @example const sender = new RecordSender(producer); await sender.add(message); await sender.drain();
 */
export class RecordSender {
  private readonly producer: Producer;
  private batch: MessageToProduce[] = [];
  private bytes = 0;
  private readonly inFlight: Promise<unknown>[] = [];

  constructor(producer: Producer) {
    this.producer = producer;
  }

  async add(message: MessageToProduce): Promise<void> {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0) + 64;
    if (this.batch.length > 0 && this.bytes + size > REQUEST_BYTES) await this.send();
    this.batch.push(message);
    this.bytes += size;
  }

  async drain(): Promise<void> {
    if (this.batch.length > 0) await this.send();
    await Promise.all(this.inFlight.splice(0));
  }

  private async send(): Promise<void> {
    const sent = this.producer.send({ messages: this.batch });
    sent.catch(() => {}); // awaited below or in drain()
    this.inFlight.push(sent);
    this.batch = [];
    this.bytes = 0;
    if (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift();
  }
}
