// Large keyed state on lmdb: 1 M keys here (about 8 s); the 10 M run of docs/internals/state-snapshots.md
// is `EDDY_LMDB_KEYS=10000000 node --test src/state/lmdb-large-state.test.ts`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../common/time.ts';
import { createLmdbStateBackend } from './lmdb-backend.ts';
import { createSnapshotFileWriter, openSnapshotReader } from './snapshot-file.ts';
import { ALL_GROUPS } from './testing-support/snapshots.ts';

const KEYS = Number(process.env.EDDY_LMDB_KEYS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'eddy-lmdb-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`lmdb holds ${KEYS} keys with a bounded cache, snapshots them and restores them`, async () => {
  const clock = new ManualClock(0);
  const options = { clock, keyGroups: ALL_GROUPS.keyGroups, maxParallelism: 128, cacheRows: 10_000 };
  const backend = createLmdbStateBackend({ ...options, dir: join(dir, 'a') });
  const count = backend.store().getState<number>({ kind: 'value', name: 'count' });
  for (let i = 0; i < KEYS; i++) {
    backend.setCurrentKey(`user-${i}`);
    count.update(i);
  }
  for (let i = 0; i < KEYS; i += 9_973) {
    backend.setCurrentKey(`user-${i}`);
    assert.equal(count.value(), i);
  }
  assert.equal(backend.keyCount(), KEYS);

  const file = join(dir, 'large.snap');
  const writer = createSnapshotFileWriter(file);
  const done = backend.snapshot(writer, { checkpointId: 1 });
  backend.setCurrentKey('user-0');
  count.update(-1); // after the cut: not in the snapshot
  await done;
  assert.deepEqual((await writer.finish()).keyGroups.length, 128);
  backend.dispose();
  await backend.closed;

  const restored = createLmdbStateBackend({ ...options, dir: join(dir, 'b') });
  await restored.restore(await openSnapshotReader([file], ALL_GROUPS));
  assert.equal(restored.keyCount(), KEYS);
  const sample = restored.store().getState<number>({ kind: 'value', name: 'count' });
  for (let i = 0; i < KEYS; i += 7_919) {
    restored.setCurrentKey(`user-${i}`);
    assert.equal(sample.value(), i);
  }
  restored.dispose();
  await restored.closed;
});
