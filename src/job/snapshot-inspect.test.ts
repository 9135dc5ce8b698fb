// What `eddy state inspect` reads out of a checkpoint directory, built here by hand with the real
// snapshot file writer and manifest writer: two subtasks of a keyed operator, a source with positions.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import type { CheckpointManifest } from '../engine/checkpoint/manifest.ts';
import { writeManifest } from '../engine/checkpoint/storage.ts';
import { keyGroupOf } from '../state/key-groups.ts';
import { createSnapshotFileWriter } from '../state/snapshot-file.ts';
import { inspectSnapshot, readStateEntries } from './snapshot-inspect.ts';

let root: string;
let checkpoint: string;

/** Writes one subtask's file: `keys` with a count each (key -> length of the key), windowed sums too. */
async function writeSubtask(dir: string, file: string, keys: readonly string[]): Promise<number> {
  const writer = createSnapshotFileWriter(join(dir, file));
  for (const key of keys) {
    const keyGroup = keyGroupOf(key, 128);
    writer.keyedEntry(keyGroup, { state: 'count', key, namespace: '', kind: 'value', value: key.length });
    for (const window of ['w0', 'w1'])
      writer.keyedEntry(keyGroup, { state: 'sums', key, namespace: window, kind: 'list', value: [1, 2] });
    writer.timer(keyGroup, { domain: 'event', key, namespace: 'w1', time: 1000 });
  }
  writer.operatorState({ name: 'offsets', mode: 'split', items: [keys.length] });
  return (await writer.finish()).bytes;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-inspect-'));
  checkpoint = join(root, 'chk-4');
  await mkdir(checkpoint);
  const first = await writeSubtask(checkpoint, 'counts-0.snap', ['apple', 'kiwi']);
  const second = await writeSubtask(checkpoint, 'counts-1.snap', ['banana']);
  const manifest: CheckpointManifest = {
    format: 1,
    jobId: 'fruit',
    jobName: 'fruit-job',
    checkpointId: 4,
    kind: 'checkpoint',
    state: 'completed',
    triggeredAt: 1_000,
    completedAt: 2_000,
    maxParallelism: 128,
    fingerprint: 'x',
    operators: [
      {
        uid: 'source-0',
        kind: 'source',
        name: 'Source: fruit',
        parallelism: 1,
        subtasks: [{ subtask: 0, positions: [{ split: 'fruit-0', position: 17 }] }],
      },
      {
        uid: 'counts',
        kind: 'keyed-process',
        name: 'count fruit',
        parallelism: 2,
        subtasks: [
          { subtask: 0, file: 'counts-0.snap', bytes: first },
          { subtask: 1, file: 'counts-1.snap', bytes: second },
        ],
      },
    ],
  };
  await writeManifest(checkpoint, manifest);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('the summary lists each operator with key counts, entries, timers, list states and positions', async () => {
  const report = await inspectSnapshot(join(checkpoint, '_metadata.json'));
  assert.equal(report.dir, checkpoint);
  assert.equal(report.manifest.jobId, 'fruit');
  assert.equal(report.manifest.checkpointId, 4);
  const [source, counts] = report.operators;
  assert.deepEqual(source.positions, [{ split: 'fruit-0', position: 17 }]);
  assert.deepEqual(source.states, []);
  assert.equal(counts.parallelism, 2);
  const states = Object.fromEntries(counts.states.map((s) => [s.name, s]));
  assert.equal(states.count.keys, 3);
  assert.equal(states.count.entries, 3);
  assert.equal(states.count.kind, 'value');
  assert.equal(states.sums.keys, 3);
  assert.equal(states.sums.entries, 6, 'one entry per key and window');
  assert.ok(states.sums.bytes > states.count.bytes);
  assert.equal(counts.timers, 3);
  assert.deepEqual(counts.operatorStates, [{ name: 'offsets', mode: 'split', items: 2 }]);
  assert.ok(counts.fileBytes > 0);
});

test('entries of one state come from every subtask, up to the limit, with the total', async () => {
  const all = await readStateEntries(checkpoint, { operator: 'counts', state: 'count', limit: 20 });
  assert.equal(all.total, 3);
  assert.deepEqual(all.entries.map((e) => [e.key, e.value]).sort(), [
    ['apple', 5],
    ['banana', 6],
    ['kiwi', 4],
  ]);
  const windows = await readStateEntries(checkpoint, { operator: 'counts', state: 'sums', limit: 4 });
  assert.equal(windows.total, 6);
  assert.equal(windows.entries.length, 4);
  assert.ok(windows.entries.every((e) => e.namespace === 'w0' || e.namespace === 'w1'));
});

test('an unknown operator or state names the ones there are', async () => {
  await assert.rejects(
    readStateEntries(checkpoint, { operator: 'count', state: 'count', limit: 1 }),
    (error) =>
      isStreamError(error, 'CLI_BAD_ARGUMENT') && /operators are: source-0, counts/.test(error.message),
  );
  await assert.rejects(
    readStateEntries(checkpoint, { operator: 'counts', state: 'total', limit: 1 }),
    (error) => isStreamError(error, 'CLI_BAD_ARGUMENT') && /states are: count, sums/.test(error.message),
  );
});

test('a directory without a manifest is not a checkpoint', async () => {
  await assert.rejects(
    inspectSnapshot(root),
    (error) =>
      isStreamError(error, 'CLI_BAD_ARGUMENT') && /is not a checkpoint or savepoint/.test(error.message),
  );
});

test('a damaged snapshot file fails with ENG_SNAPSHOT_CORRUPT naming the file', async () => {
  const damaged = join(root, 'chk-5');
  await mkdir(damaged);
  const bytes = await readFile(join(checkpoint, 'counts-0.snap'));
  bytes[20] ^= 0xff; // inside the first chunk: header and trailer stay valid
  await writeFile(join(damaged, 'counts-0.snap'), bytes);
  await writeFile(join(damaged, 'counts-1.snap'), await readFile(join(checkpoint, 'counts-1.snap')));
  await writeFile(join(damaged, '_metadata.json'), await readFile(join(checkpoint, '_metadata.json')));
  await assert.rejects(
    inspectSnapshot(damaged),
    (error) =>
      isStreamError(error, 'ENG_SNAPSHOT_CORRUPT') && error.message.includes(join(damaged, 'counts-0.snap')),
  );
});
