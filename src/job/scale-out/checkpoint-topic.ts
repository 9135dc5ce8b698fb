/**
 * Carries a scaled-out task's checkpoints through Kafka, so a task that moves to a process with another
 * state directory finds them there: the engine publishes chk-N before the task's transaction commits N,
 * and a new owner fetches the N that Kafka says was committed. Record format: checkpoint-topic-records.ts.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Producer } from '@platformatic/kafka';
import { StreamError } from '../../common/errors.ts';
import { syncDirectory } from '../../engine/checkpoint/storage.ts';
import { createTopic, listTopics, withAdmin } from '../../kafka/admin.ts';
import { baseClientOptions } from '../../kafka/client-options.ts';
import { explainKafkaError } from '../../kafka/explain-error.ts';
import {
  checkpointFiles,
  chunkHeaders,
  chunkKey,
  isCompleteUpload,
  manifestPath,
  parseChunk,
  parseSeal,
  RecordSender,
  readChunks,
  type SealedFile,
  scanPartition,
  sealKey,
  sealValue,
  type UploadSeal,
} from './checkpoint-topic-records.ts';

/**
 * `<jobId>-checkpoints`: T partitions, partition i holds task i's checkpoints.
 *
 * @example checkpointTopic('clicks') // 'clicks-checkpoints'
 */
export function checkpointTopic(jobId: string): string {
  return `${jobId}-checkpoints`;
}

/**
 * Creates the checkpoint topic (T partitions, compacted, no time retention) if missing; safe when several
 * processes do it at once. One that exists with another partition count → StreamError ENG_INVALID_JOB.
 *
 * @example await ensureCheckpointTopic('127.0.0.1:9092', 'clicks', 4);
 */
export async function ensureCheckpointTopic(bootstrap: string, jobId: string, tasks: number): Promise<void> {
  const topic = checkpointTopic(jobId);
  await withAdmin({ bootstrap, clientId: 'eddy-scale-out' }, async (admin) => {
    if (!(await listTopics(admin)).includes(topic))
      // Another process may create it between the listing and here; the count check below still holds.
      await createTopic(admin, topic, tasks, { 'cleanup.policy': 'compact', 'retention.ms': '-1' }).catch(
        () => undefined,
      );
    const found = (await listTopics(admin)).includes(topic)
      ? (await admin.metadata({ topics: [topic] })).topics.get(topic)?.partitions.length
      : undefined;
    if (found === tasks) return;
    throw new StreamError(
      'ENG_INVALID_JOB',
      found === undefined
        ? `checkpoint topic "${topic}" could not be created on ${bootstrap}; create it with ${tasks} ` +
            'partitions and cleanup.policy=compact'
        : `checkpoint topic "${topic}" has ${found} partitions but the job runs ${tasks} tasks: a scaled-out ` +
            `job keeps its task count for its lifetime. Run it with --parallelism ${found}, or start it ` +
            'afresh under a new --job-id',
      { details: { topic, partitions: found ?? null, tasks } },
    );
  });
}

export interface CheckpointPublisherOptions {
  readonly bootstrap: string;
  readonly topic: string;
  readonly partition: number;
  /** Uploads kept after each publish, the new one included (default 2). */
  readonly keep?: number;
}

/**
 * Uploads one task's checkpoints into its partition of the checkpoint topic, and tombstones old ones.
 *
 * @example
 * const publisher = new CheckpointPublisher({ bootstrap, topic: checkpointTopic('clicks'), partition: 2 });
 * await publisher.publish(7, '/state/clicks.task-2/checkpoints/chk-7');
 * await publisher.close();
 */
export class CheckpointPublisher {
  private readonly options: CheckpointPublisherOptions;
  private producer: Producer | undefined;
  /** What this publisher uploaded and has not deleted yet: the keys of each checkpoint, seal first. */
  private readonly uploads = new Map<number, string[]>();
  private committed: number | undefined;

  constructor(options: CheckpointPublisherOptions) {
    this.options = options;
  }

  /**
   * Uploads checkpoint N: every file of `dir` (the chk-N directory) and every file its manifest references
   * outside it (baseFiles), in chunks, acks=all from an idempotent producer, then a seal naming them all;
   * resolves when all are acknowledged. Then tombstones the checkpoints it uploaded before, except the
   * newest `keep` (N included) and the one last passed to markCommitted. Rejects with
   * ENG_CHECKPOINT_FAILED (a failed tombstone too: the next publish tries again).
   */
  async publish(checkpointId: number, dir: string): Promise<void> {
    const { topic, partition } = this.options;
    const upload = randomBytes(8).toString('hex');
    const keys = [sealKey(checkpointId)];
    try {
      const sender = new RecordSender(this.producerOrNew());
      const sealed: SealedFile[] = [];
      for (const file of await checkpointFiles(dir)) {
        const read = await readChunks(file.absolute, (bytes, at) => {
          const key = chunkKey(checkpointId, file.path, at.index);
          keys.push(key);
          const info = { checkpointId, upload, path: file.path, ...at };
          return sender.add({
            topic,
            partition,
            key: Buffer.from(key),
            value: bytes,
            headers: chunkHeaders(info),
          });
        });
        sealed.push({ path: file.path, ...read });
      }
      await sender.drain();
      // Only now: a seal in the topic means every chunk it names is in the topic too.
      const value = sealValue(checkpointId, upload, sealed);
      await sender.add({ topic, partition, key: Buffer.from(keys[0]), value });
      await sender.drain();
      this.uploads.set(checkpointId, keys);
      await this.prune(checkpointId);
    } catch (error) {
      throw await this.failed(error, `publish checkpoint ${checkpointId} from ${dir}`);
    }
  }

  /**
   * Says that checkpoint N committed: it stays until a newer one is marked, whatever `keep` says, so a
   * run of failed commits cannot tombstone the checkpoint a restart needs.
   */
  markCommitted(checkpointId: number): void {
    if (this.committed === undefined || checkpointId > this.committed) this.committed = checkpointId;
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
  }

  private async prune(newest: number): Promise<void> {
    const keep = new Set([...this.uploads.keys()].sort((a, b) => b - a).slice(0, this.options.keep ?? 2));
    keep.add(newest);
    if (this.committed !== undefined) keep.add(this.committed);
    const { topic, partition } = this.options;
    for (const [id, keys] of [...this.uploads].sort((a, b) => a[0] - b[0])) {
      if (keep.has(id)) continue;
      const sender = new RecordSender(this.producerOrNew());
      // The seal goes first, so a fetch never takes a checkpoint whose chunks are being deleted.
      for (const key of keys) await sender.add({ topic, partition, key: Buffer.from(key) });
      await sender.drain();
      this.uploads.delete(id);
    }
  }

  private producerOrNew(): Producer {
    this.producer ??= new Producer({
      ...baseClientOptions(
        { bootstrap: this.options.bootstrap, clientId: 'eddy-checkpoint-publisher' },
        'sink',
      ),
      idempotent: true,
      acks: -1,
    });
    return this.producer;
  }

  /** After a failure the producer's sequence numbers may have gaps: the next publish starts a new one. */
  private async failed(error: unknown, what: string): Promise<StreamError> {
    await this.close().catch(() => undefined);
    if (error instanceof StreamError) return error;
    const { bootstrap, topic, partition } = this.options;
    return new StreamError(
      'ENG_CHECKPOINT_FAILED',
      `cannot ${what} to partition ${partition} of "${topic}" at ${bootstrap}: ${explainKafkaError(error)}`,
      { cause: error, details: { topic, partition, bootstrap } },
    );
  }
}

export interface FetchCheckpointOptions {
  readonly bootstrap: string;
  readonly topic: string;
  readonly partition: number;
  readonly checkpointId: number;
  /** The task's `.../checkpoints` directory: chk-N/... and referenced older chk-M files go under it. */
  readonly checkpointsRoot: string;
}

/**
 * Writes checkpoint N of the partition under `checkpointsRoot` and returns true; false when the partition
 * holds no complete upload of N (then nothing is written). Reads from the earliest to the end offset.
 * Chunks are staged under `<checkpointsRoot>/.fetch-*`, checked against the seal's sizes and sha256
 * (mismatch: ENG_SNAPSHOT_CORRUPT), then renamed into place, the manifest last.
 *
 * @example
 * const found = await fetchCheckpoint({ bootstrap, topic: checkpointTopic('clicks'), partition: 2,
 *   checkpointId: 7, checkpointsRoot: '/state/clicks.task-2/checkpoints' });
 */
export async function fetchCheckpoint(options: FetchCheckpointOptions): Promise<boolean> {
  const { checkpointId } = options;
  const root = resolve(options.checkpointsRoot);
  const prefix = `${checkpointId}/`;
  let seal: UploadSeal | undefined;
  /** Chunk key → the upload of its newest record; null after a tombstone. */
  const owners = new Map<string, string | null>();
  let staging: string | undefined;
  const stage = async (): Promise<string> => {
    if (staging === undefined) {
      await mkdir(root, { recursive: true });
      staging = await mkdtemp(join(root, '.fetch-'));
    }
    return staging;
  };
  try {
    await scanPartition(options, async (record) => {
      const key = record.key?.toString('utf8');
      if (key === undefined || !key.startsWith(prefix)) return;
      if (key === sealKey(checkpointId)) {
        seal = record.value === null ? undefined : parseSeal(record.value, checkpointId);
      } else if (record.value === null) {
        owners.set(key, null);
      } else {
        const chunk = parseChunk(record);
        if (chunk === undefined || chunk.checkpointId !== checkpointId) return;
        owners.set(key, chunk.upload);
        await writeAt(join(await stage(), chunk.upload, chunk.path), record.value, chunk.offset);
      }
    });
    const found: UploadSeal | undefined = seal;
    if (found === undefined || !isCompleteUpload(found, owners)) return false;
    await install(found, join(await stage(), found.upload), root);
    return true;
  } catch (error) {
    if (error instanceof StreamError) throw error;
    throw new StreamError(
      'ENG_RESTORE_FAILED',
      `cannot fetch checkpoint ${checkpointId} from partition ${options.partition} of "${options.topic}" at ` +
        `${options.bootstrap} into ${root}: ${explainKafkaError(error)}`,
      { cause: error, details: { topic: options.topic, partition: options.partition, checkpointId } },
    );
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
}

/** Checks every staged file against the seal, makes it durable, then renames it into place. */
async function install(seal: UploadSeal, staged: string, root: string): Promise<void> {
  for (const file of seal.files) {
    const temp = join(staged, file.path);
    if (file.size === 0) await writeAt(temp, Buffer.alloc(0), 0);
    const got = await readChunks(temp, async () => {});
    if (got.size !== file.size || got.sha256 !== file.sha256)
      throw new StreamError(
        'ENG_SNAPSHOT_CORRUPT',
        `checkpoint ${seal.checkpointId} in the checkpoint topic has a damaged ${file.path} (${got.size} bytes, ` +
          `sha256 ${got.sha256}; the upload says ${file.size} bytes, sha256 ${file.sha256}); restore an ` +
          'earlier checkpoint or savepoint',
        { details: { path: file.path, checkpointId: seal.checkpointId } },
      );
    const handle = await open(temp, 'r');
    await handle.sync().finally(() => handle.close());
  }
  const manifest = manifestPath(seal.checkpointId);
  // The manifest last: a crash before it leaves files the engine ignores (no manifest, no checkpoint).
  const ordered = [...seal.files.filter((f) => f.path !== manifest), { path: manifest }];
  const dirs = new Set<string>();
  for (const { path } of ordered) {
    const target = join(root, path);
    if (path === manifest) for (const dir of dirs) await syncDirectory(dir);
    await mkdir(dirname(target), { recursive: true });
    await rename(join(staged, path), target);
    dirs.add(dirname(target));
  }
  await syncDirectory(dirname(join(root, manifest)));
}

async function writeAt(path: string, bytes: Buffer, offset: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT);
  try {
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, offset + written);
      written += bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
