// A task's checkpoints carried through the checkpoint topic of a real broker: published from one state
// directory, fetched into another, byte for byte; partial uploads never fetched; old ones tombstoned.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { isStreamError } from '../../src/common/errors.ts';
import type {
  CheckpointManifest,
  OperatorEntry,
  SubtaskEntry,
} from '../../src/engine/checkpoint/manifest.ts';
import { readManifest } from '../../src/engine/checkpoint/storage.ts';
import {
  CheckpointPublisher,
  checkpointTopic,
  ensureCheckpointTopic,
  fetchCheckpoint,
} from '../../src/job/scale-out/checkpoint-topic.ts';
import { CHUNK_BYTES, chunkHeaders, chunkKey } from '../../src/job/scale-out/checkpoint-topic-records.ts';
import { describeTopic, withAdmin } from '../../src/kafka/admin.ts';
import { baseClientOptions } from '../../src/kafka/client-options.ts';
import { type FetchedRecord, PartitionConsumer } from '../../src/kafka/partition-consumer.ts';
import { startTestBroker, type TestBroker } from '../support/broker.ts';

let broker: TestBroker;
let temp: string;
before(async () => {
  broker = await startTestBroker();
  temp = await mkdtemp(join(tmpdir(), 'eddy-checkpoint-topic-'));
});
after(async () => {
  await broker.stop();
  await rm(temp, { recursive: true, force: true });
});

/**
 * Writes chk-N as the engine would for one task: a map operator's full snapshot and a window operator
 * whose snapshot is incremental on every earlier checkpoint (baseFiles `../chk-M/...`); chk-1's window
 * file is larger than 1 MiB so it travels in several chunks; an empty file for an operator with no state.
 */
async function writeCheckpoint(root: string, id: number): Promise<void> {
  const dir = join(root, `chk-${id}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'map-1-0.snap'), randomBytes(1000 + id));
  await writeFile(join(dir, 'window-2-0.snap'), randomBytes(id === 1 ? 1_300_000 : 5000));
  await writeFile(join(dir, 'idle-3-0.snap'), Buffer.alloc(0));
  const baseFiles = Array.from({ length: id - 1 }, (_, i) => `../chk-${i + 1}/window-2-0.snap`);
  const operator = (uid: string, entry: SubtaskEntry): OperatorEntry => ({
    uid,
    kind: 'map',
    name: uid,
    parallelism: 1,
    subtasks: [entry],
  });
  const manifest: CheckpointManifest = {
    format: 1,
    jobId: 'job.task-1',
    jobName: 'job',
    checkpointId: id,
    kind: 'checkpoint',
    state: 'pending',
    triggeredAt: 1_700_000_000_000 + id,
    maxParallelism: 128,
    fingerprint: 'f',
    operators: [
      operator('map-1', { subtask: 0, file: 'map-1-0.snap' }),
      operator('window-2', { subtask: 0, file: 'window-2-0.snap', ...(id > 1 ? { baseFiles } : {}) }),
      operator('idle-3', { subtask: 0, file: 'idle-3-0.snap' }),
    ],
  };
  await writeFile(join(dir, '_metadata.json'), JSON.stringify(manifest));
}

/** Every file under `root`, relative to it, sorted. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The files checkpoint N consists of: its own directory and the base files it names. */
const filesOf = (id: number): string[] =>
  [
    `chk-${id}/_metadata.json`,
    `chk-${id}/idle-3-0.snap`,
    `chk-${id}/map-1-0.snap`,
    `chk-${id}/window-2-0.snap`,
    ...Array.from({ length: id - 1 }, (_, i) => `chk-${i + 1}/window-2-0.snap`),
  ].sort();

async function assertSameFiles(from: string, to: string, id: number): Promise<void> {
  for (const file of filesOf(id))
    assert.deepEqual(await readFile(join(to, file)), await readFile(join(from, file)), file);
}

async function readPartition(topic: string, partition: number): Promise<FetchedRecord[]> {
  const consumer = new PartitionConsumer({ bootstrap: broker.bootstrap });
  try {
    const tp = { topic, partition };
    const end = (await consumer.listOffsets([tp], 'latest')).get(`${topic}-${partition}`) ?? 0n;
    const records: FetchedRecord[] = [];
    let offset = 0n;
    for (let round = 0; offset < end; round++) {
      assert.ok(round < 1000, `reading ${topic} stalled at offset ${offset}`);
      const [fetched] = await consumer.fetch([{ ...tp, offset }], 1000);
      if (fetched === undefined) continue;
      records.push(...fetched.records);
      offset = fetched.nextOffset;
    }
    return records;
  } finally {
    await consumer.close();
  }
}

async function produceRaw(
  topic: string,
  partition: number,
  messages: { key: string; value?: Buffer; headers?: Map<Buffer, Buffer> }[],
) {
  const producer = new Producer(baseClientOptions({ bootstrap: broker.bootstrap }, 'test-producer'));
  try {
    await producer.send({
      acks: -1,
      messages: messages.map((m) => ({
        topic,
        partition,
        key: Buffer.from(m.key),
        value: m.value,
        headers: m.headers,
      })),
    });
  } finally {
    await producer.close();
  }
}

test('checkpoints published from one state dir are fetched byte for byte into another', async () => {
  const jobId = 'carry';
  const topic = checkpointTopic(jobId);
  await ensureCheckpointTopic(broker.bootstrap, jobId, 3);
  const source = join(temp, 'carry-a', 'checkpoints');
  const publisher = new CheckpointPublisher({ bootstrap: broker.bootstrap, topic, partition: 1 });
  try {
    for (const id of [1, 2, 3]) {
      await writeCheckpoint(source, id);
      await publisher.publish(id, join(source, `chk-${id}`));
    }
  } finally {
    await publisher.close();
  }
  const fetch = (checkpointId: number, checkpointsRoot: string) =>
    fetchCheckpoint({ bootstrap: broker.bootstrap, topic, partition: 1, checkpointId, checkpointsRoot });

  const target = join(temp, 'carry-b', 'checkpoints');
  assert.equal(await fetch(3, target), true);
  assert.deepEqual(await filesUnder(target), filesOf(3), 'the checkpoint, its base files and nothing else');
  await assertSameFiles(source, target, 3);
  const { manifest } = await readManifest(join(target, 'chk-3'));
  assert.equal(manifest.checkpointId, 3);

  const other = join(temp, 'carry-c', 'checkpoints');
  assert.equal(await fetch(2, other), true);
  assert.deepEqual(await filesUnder(other), filesOf(2));
  await assertSameFiles(source, other, 2);

  // Another task's partition holds none of them.
  const empty = join(temp, 'carry-d', 'checkpoints');
  assert.equal(
    await fetchCheckpoint({
      bootstrap: broker.bootstrap,
      topic,
      partition: 0,
      checkpointId: 3,
      checkpointsRoot: empty,
    }),
    false,
  );
  assert.equal(await fetch(9, empty), false, 'a checkpoint never published');
  assert.deepEqual(await filesUnder(empty), []);
});

test('with keep=2, publishing 3 tombstones every record of 1; 1 can no longer be fetched, 2 still can', async () => {
  const jobId = 'prune';
  const topic = checkpointTopic(jobId);
  await ensureCheckpointTopic(broker.bootstrap, jobId, 1);
  const source = join(temp, 'prune-a', 'checkpoints');
  const publisher = new CheckpointPublisher({ bootstrap: broker.bootstrap, topic, partition: 0, keep: 2 });
  const liveAfter = async () => {
    const live = new Map<string, boolean>();
    for (const r of await readPartition(topic, 0)) live.set(r.key!.toString(), r.value !== null);
    return live;
  };
  try {
    for (const id of [1, 2]) {
      await writeCheckpoint(source, id);
      await publisher.publish(id, join(source, `chk-${id}`));
    }
    const beforeThird = await liveAfter();
    assert.ok(
      [...beforeThird.values()].every((v) => v),
      'nothing deleted while only two were published',
    );
    const keysOf1 = [...beforeThird.keys()].filter((k) => k.startsWith('1/'));
    assert.ok(keysOf1.length > 5, `checkpoint 1 has its chunks and a seal (${keysOf1.length})`);

    await writeCheckpoint(source, 3);
    await publisher.publish(3, join(source, 'chk-3'));
    const live = await liveAfter();
    for (const key of keysOf1) assert.equal(live.get(key), false, `${key} is tombstoned`);
    for (const [key, isLive] of live) if (!key.startsWith('1/')) assert.equal(isLive, true, `${key} is live`);
  } finally {
    await publisher.close();
  }
  const fetch = (checkpointId: number, dir: string) =>
    fetchCheckpoint({
      bootstrap: broker.bootstrap,
      topic,
      partition: 0,
      checkpointId,
      checkpointsRoot: join(temp, dir),
    });
  assert.equal(await fetch(1, 'prune-b'), false);
  assert.deepEqual(await filesUnder(join(temp, 'prune-b')), []);
  assert.equal(await fetch(2, 'prune-c'), true);
  await assertSameFiles(source, join(temp, 'prune-c'), 2);
});

test('a partial upload is never fetched, and does not mix with a complete one of the same id', async () => {
  const jobId = 'partial';
  const topic = checkpointTopic(jobId);
  await ensureCheckpointTopic(broker.bootstrap, jobId, 2);
  const source = join(temp, 'partial-a', 'checkpoints');
  await writeCheckpoint(source, 1);
  const big = await readFile(join(source, 'chk-1', 'window-2-0.snap'));
  // A publisher killed half-way: the first two chunks of the big file, no manifest, no seal.
  const chunks = Math.ceil(big.length / CHUNK_BYTES);
  const chunk = (index: number, upload: string) => ({
    key: chunkKey(1, 'chk-1/window-2-0.snap', index),
    value: Buffer.from(randomBytes(CHUNK_BYTES)),
    headers: chunkHeaders({
      checkpointId: 1,
      upload,
      path: 'chk-1/window-2-0.snap',
      index,
      offset: index * CHUNK_BYTES,
      size: big.length,
      chunks,
    }),
  });
  await produceRaw(topic, 1, [chunk(0, 'dead01'), chunk(1, 'dead01')]);
  const fetch = (dir: string) =>
    fetchCheckpoint({
      bootstrap: broker.bootstrap,
      topic,
      partition: 1,
      checkpointId: 1,
      checkpointsRoot: join(temp, dir),
    });
  assert.equal(await fetch('partial-b'), false);
  assert.deepEqual(await filesUnder(join(temp, 'partial-b')), [], 'nothing written, no staging left');

  // A complete upload of the same id, then a second attempt that dies after one chunk (different bytes).
  const publisher = new CheckpointPublisher({ bootstrap: broker.bootstrap, topic, partition: 1 });
  try {
    await publisher.publish(1, join(source, 'chk-1'));
  } finally {
    await publisher.close();
  }
  assert.equal(await fetch('partial-c'), true);
  await assertSameFiles(source, join(temp, 'partial-c'), 1);
  await produceRaw(topic, 1, [chunk(2, 'dead02')]);
  assert.equal(await fetch('partial-d'), false, 'the sealed upload lost a chunk to a later attempt');
  assert.deepEqual(await filesUnder(join(temp, 'partial-d')), []);
});

test('ensureCheckpointTopic creates a compacted topic once, and refuses another task count', async () => {
  const jobId = 'ensure';
  await Promise.all([1, 2, 3].map(() => ensureCheckpointTopic(broker.bootstrap, jobId, 4)));
  const described = await withAdmin({ bootstrap: broker.bootstrap }, (admin) =>
    describeTopic(admin, checkpointTopic(jobId)),
  );
  assert.equal(described.partitions.length, 4);
  const config = (name: string) => described.configs.find((c) => c.name === name)?.value;
  assert.equal(config('cleanup.policy'), 'compact');
  assert.equal(config('retention.ms'), '-1');
  await ensureCheckpointTopic(broker.bootstrap, jobId, 4);
  await assert.rejects(ensureCheckpointTopic(broker.bootstrap, jobId, 6), (error) => {
    assert.ok(isStreamError(error, 'ENG_INVALID_JOB'));
    assert.match(error.message, /has 4 partitions but the job runs 6 tasks/);
    return true;
  });
});

test('publishing a directory without a manifest fails the checkpoint and sends nothing', async () => {
  const jobId = 'nomanifest';
  const topic = checkpointTopic(jobId);
  await ensureCheckpointTopic(broker.bootstrap, jobId, 1);
  const dir = join(temp, 'nomanifest', 'checkpoints', 'chk-4');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'map-1-0.snap'), 'state');
  const publisher = new CheckpointPublisher({ bootstrap: broker.bootstrap, topic, partition: 0 });
  try {
    await assert.rejects(publisher.publish(4, dir), (error) => isStreamError(error, 'ENG_CHECKPOINT_FAILED'));
  } finally {
    await publisher.close();
  }
  assert.deepEqual(await readPartition(topic, 0), []);
});

test('the checkpoint marked committed survives later publishes whatever keep says', async () => {
  const jobId = 'committed';
  const topic = checkpointTopic(jobId);
  await ensureCheckpointTopic(broker.bootstrap, jobId, 1);
  const source = join(temp, 'committed-a', 'checkpoints');
  const publisher = new CheckpointPublisher({ bootstrap: broker.bootstrap, topic, partition: 0, keep: 2 });
  try {
    await writeCheckpoint(source, 1);
    await publisher.publish(1, join(source, 'chk-1'));
    publisher.markCommitted(1);
    // Commits of 2, 3 and 4 fail: the restart needs 1.
    for (const id of [2, 3, 4]) {
      await writeCheckpoint(source, id);
      await publisher.publish(id, join(source, `chk-${id}`));
    }
  } finally {
    await publisher.close();
  }
  const fetch = (checkpointId: number) =>
    fetchCheckpoint({
      bootstrap: broker.bootstrap,
      topic,
      partition: 0,
      checkpointId,
      checkpointsRoot: join(temp, `committed-${checkpointId}`),
    });
  assert.deepEqual(
    await Promise.all([1, 2, 3, 4].map(fetch)),
    [true, false, true, true],
    '1 (committed), 3 and 4 (the newest two) stay; 2 goes',
  );
  await assertSameFiles(source, join(temp, 'committed-1'), 1);
});

test('a complete upload whose bytes were altered is reported corrupt, and nothing is written', async () => {
  const jobId = 'corrupt';
  const topic = checkpointTopic(jobId);
  await ensureCheckpointTopic(broker.bootstrap, jobId, 1);
  const source = join(temp, 'corrupt-a', 'checkpoints');
  await writeCheckpoint(source, 1);
  const publisher = new CheckpointPublisher({ bootstrap: broker.bootstrap, topic, partition: 0 });
  try {
    await publisher.publish(1, join(source, 'chk-1'));
  } finally {
    await publisher.close();
  }
  const seal = (await readPartition(topic, 0)).find((r) => r.key?.toString() === '1/seal');
  const { upload } = JSON.parse(seal!.value!.toString()) as { upload: string };
  const path = 'chk-1/map-1-0.snap';
  const size = (await readFile(join(source, path))).length;
  await produceRaw(topic, 0, [
    {
      key: chunkKey(1, path, 0),
      value: randomBytes(size),
      headers: chunkHeaders({ checkpointId: 1, upload, path, index: 0, offset: 0, size, chunks: 1 }),
    },
  ]);
  const target = join(temp, 'corrupt-b');
  await assert.rejects(
    fetchCheckpoint({
      bootstrap: broker.bootstrap,
      topic,
      partition: 0,
      checkpointId: 1,
      checkpointsRoot: target,
    }),
    (error) => isStreamError(error, 'ENG_SNAPSHOT_CORRUPT') && error.message.includes(path),
  );
  assert.deepEqual(await filesUnder(target), []);
});
