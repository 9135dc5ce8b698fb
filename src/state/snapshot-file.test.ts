import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { keyGroupRangeFor } from './key-groups.ts';
import {
  createSnapshotFileWriter,
  openSnapshotReader,
  type SnapshotTarget,
  verifySnapshotFile,
} from './snapshot-file.ts';
import { OPERATOR_STATE_PREFIX, type SnapshotReader } from './snapshot-format.ts';

const dir = mkdtempSync(join(tmpdir(), 'eddy-snapshot-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newPath = () => join(dir, `f${files++}.snap`);

const ALL: SnapshotTarget = { keyGroups: { start: 0, end: 127 }, subtaskIndex: 0, parallelism: 1 };
const entries = (reader: SnapshotReader) =>
  [...reader.keyedEntries()].map(({ keyGroup, entry }) => [
    keyGroup,
    entry.key,
    entry.namespace,
    entry.state,
    entry.value,
  ]);

/** A file with `n` value entries spread over key groups 0..9 (key i in group i % 10), and timers. */
async function sampleFile(n: number): Promise<string> {
  const path = newPath();
  const writer = createSnapshotFileWriter(path);
  for (let i = 0; i < n; i++) {
    writer.keyedEntry(i % 10, {
      state: 's',
      key: i,
      namespace: '',
      kind: 'value',
      value: `v${i}`.repeat(20),
    });
    writer.timer(i % 10, {
      domain: i % 2 === 0 ? 'event' : 'processing',
      key: i,
      namespace: 'w',
      time: i,
      order: i,
    });
  }
  const info = await writer.finish();
  assert.equal(info.bytes, statSync(path).size);
  assert.deepEqual(info.keyGroups, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return path;
}

test('entries and timers come back per key group, also across many chunks, and only owned groups are read', async () => {
  const path = await sampleFile(20_000); // about 1 MB per key group: several chunks each
  const all = await openSnapshotReader([path], ALL);
  const got = entries(all);
  assert.equal(got.length, 20_000);
  assert.deepEqual(
    got.slice(0, 3).map((e) => e[1]),
    [0, 10, 20],
    'key group order, then write order',
  );
  assert.equal(got.find((e) => e[1] === 12_345)?.[4], 'v12345'.repeat(20));
  const timers = [...all.timers()];
  assert.equal(timers.length, 20_000);
  assert.deepEqual(timers[1].timer, { domain: 'event', key: 10, namespace: 'w', time: 10, order: 10 });
  const some = await openSnapshotReader([path], {
    keyGroups: { start: 3, end: 4 },
    subtaskIndex: 0,
    parallelism: 1,
  });
  const keys = entries(some).map((e) => e[1] as number);
  assert.equal(keys.length, 4_000);
  assert.ok(keys.every((k) => k % 10 === 3 || k % 10 === 4));
});

test('a torn file, a damaged chunk or index, another file type and a missing file fail clearly', async () => {
  const good = readFileSync(await sampleFile(2_000));
  const write = (bytes: Buffer) => {
    const path = newPath();
    writeFileSync(path, bytes);
    return path;
  };
  const corrupt = (message: RegExp) => (e: unknown) =>
    isStreamError(e, 'ENG_SNAPSHOT_CORRUPT') && message.test((e as Error).message);

  const torn = write(good.subarray(0, good.length - 7));
  await assert.rejects(openSnapshotReader([torn], ALL), corrupt(/cut short/));
  await assert.rejects(openSnapshotReader([write(good.subarray(0, 5))], ALL), corrupt(/only 5 bytes/));

  const flipped = Buffer.from(good);
  flipped[200] ^= 0xff; // inside the first chunk
  const damaged = write(flipped);
  const reader = await openSnapshotReader([damaged], ALL); // the index is intact
  assert.throws(() => entries(reader), corrupt(/checksum/));
  await assert.rejects(verifySnapshotFile(damaged), corrupt(/file checksum/));
  await verifySnapshotFile(write(good));

  const badIndex = Buffer.from(good);
  badIndex[good.length - 30] ^= 0x01; // inside the footer
  await assert.rejects(openSnapshotReader([write(badIndex)], ALL), corrupt(/index fails its checksum/));

  await assert.rejects(
    openSnapshotReader([write(Buffer.alloc(100, 1))], ALL),
    corrupt(/not an eddy snapshot/),
  );
  const newer = Buffer.from(good);
  newer[8] = 99;
  await assert.rejects(
    openSnapshotReader([write(newer)], ALL),
    (e) => isStreamError(e, 'ENG_RESTORE_FAILED') && /version 99/.test(String(e)),
  );
  await assert.rejects(openSnapshotReader([join(dir, 'nope.snap')], ALL), (e) =>
    isStreamError(e, 'ENG_RESTORE_FAILED'),
  );
});

test('operator list states: split goes round-robin over the concatenation, union goes whole to everyone', async () => {
  const paths = [newPath(), newPath()];
  const parts = [
    ['a', 'b', 'c'],
    ['d', 'e'],
  ];
  for (const [i, path] of paths.entries()) {
    const writer = createSnapshotFileWriter(path);
    writer.operatorState({ name: 'offsets', mode: 'split', items: parts[i] });
    writer.operatorState({ name: 'partitions', mode: 'union', items: [`p${i}`] });
    await writer.finish();
  }
  const shares = [];
  for (let subtaskIndex = 0; subtaskIndex < 3; subtaskIndex++) {
    const keyGroups = keyGroupRangeFor(subtaskIndex, 128, 3);
    const reader = await openSnapshotReader(paths, { keyGroups, subtaskIndex, parallelism: 3 });
    shares.push(reader.operatorState('offsets'));
    assert.deepEqual(reader.operatorState('partitions'), ['p0', 'p1']);
    assert.deepEqual(reader.operatorState('absent'), []);
  }
  assert.deepEqual(shares, [['a', 'd'], ['b', 'e'], ['c']]);
});

test('an incremental chain merges: resets drop a key, later entries win, operator entries come from the newest link', async () => {
  const [full, delta1, delta2] = [newPath(), newPath(), newPath()];
  const op = `${OPERATOR_STATE_PREFIX}buckets`;
  let writer = createSnapshotFileWriter(full);
  writer.chain({ id: 'c', checkpointId: 1 });
  for (const key of ['a', 'b', 'c'])
    writer.keyedEntry(5, { state: 's', key, namespace: '', kind: 'value', value: `${key}1` });
  writer.keyedEntry(5, { state: 'l', key: 'a', namespace: 'w', kind: 'list', value: [1] });
  writer.keyedEntry(5, { state: op, key: 'a', namespace: '', value: 'old bucket' });
  writer.timer(5, { domain: 'event', key: 'a', namespace: '', time: 1 });
  await writer.finish();

  writer = createSnapshotFileWriter(delta1);
  writer.chain({ id: 'c', checkpointId: 2, base: 1 });
  writer.resetKey(5, 'a'); // a's list state is gone, its value changed
  writer.keyedEntry(5, { state: 's', key: 'a', namespace: '', kind: 'value', value: 'a2' });
  writer.resetKey(5, 'b'); // b is gone
  writer.keyedEntry(5, { state: op, key: 'a', namespace: '', value: 'bucket 2' });
  await writer.finish();

  writer = createSnapshotFileWriter(delta2);
  writer.chain({ id: 'c', checkpointId: 3, base: 2 });
  writer.resetKey(5, 'd');
  writer.keyedEntry(5, { state: 's', key: 'd', namespace: '', kind: 'value', value: 'd3' });
  writer.keyedEntry(5, { state: op, key: 'a', namespace: '', value: 'bucket 3' });
  writer.timer(5, { domain: 'event', key: 'd', namespace: '', time: 3 });
  const info = await writer.finish();
  assert.deepEqual(info.chain, { id: 'c', checkpointId: 3, base: 2 });

  const reader = await openSnapshotReader([delta2, full, delta1], ALL);
  const got = entries(reader).sort(
    (x, y) => String(x[3]).localeCompare(String(y[3])) || String(x[1]).localeCompare(String(y[1])),
  );
  assert.deepEqual(got, [
    [5, 'a', '', op, 'bucket 3'],
    [5, 'a', '', 's', 'a2'],
    [5, 'c', '', 's', 'c1'],
    [5, 'd', '', 's', 'd3'],
  ]);
  assert.deepEqual(
    [...reader.timers()].map(({ timer }) => timer.key),
    ['d'],
    'timers come from the newest link only',
  );
  await assert.rejects(
    openSnapshotReader([full, delta2], ALL),
    (e) => isStreamError(e, 'ENG_RESTORE_FAILED') && /checkpoint 2/.test(String(e)),
  );
});

test('a value that cannot be cloned fails the writer, and abort removes the file', async () => {
  const path = newPath();
  const writer = createSnapshotFileWriter(path);
  assert.throws(
    () => writer.keyedEntry(0, { state: 'fn', key: 'k', namespace: '', kind: 'value', value: () => 1 }),
    (e) => isStreamError(e, 'ENG_CHECKPOINT_FAILED') && /state "fn" of key k/.test(String(e)),
  );
  await assert.rejects(writer.finish(), (e) => isStreamError(e, 'ENG_CHECKPOINT_FAILED'));
  await writer.abort();
  assert.equal(existsSync(path), false);
});
