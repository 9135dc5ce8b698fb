import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isStreamError } from '../common/errors.ts';
import { ManualClock } from '../common/time.ts';
import type { ListStateDescriptor, ValueStateDescriptor } from '../plan/state.ts';
import type { KeyedStateBackend } from './backend.ts';
import { keyGroupRangeFor } from './key-groups.ts';
import { createSnapshotBufferWriter, openSnapshotBuffers } from './snapshot-file.ts';
import { BACKEND_KINDS, testBackend } from './testing-support/backends.ts';
import { canonicalEntries, restoreFrom, sortEntries } from './testing-support/snapshots.ts';

const N: ValueStateDescriptor<{ n: number }> = { kind: 'value', name: 'n' };
const L: ListStateDescriptor<string> = { kind: 'list', name: 'l' };

function write(backend: KeyedStateBackend, key: unknown, n: number): void {
  backend.setCurrentKey(key);
  backend.store().getState(N).update({ n });
  backend.store().getListState(L).add(`v${n}`);
}

for (const kind of BACKEND_KINDS) {
  test(`${kind}: a snapshot holds the state at the cut while processing changes it meanwhile`, async (t) => {
    const backend = testBackend(t, kind, { cacheRows: 200 });
    const keys = 20_000;
    for (let i = 0; i < keys; i++) write(backend, i, i);
    const expected = await canonicalEntries(backend);

    const writer = createSnapshotBufferWriter();
    let settled = false;
    const done = backend.snapshot(writer);
    void Promise.resolve(done).then(() => {
      settled = true;
    });
    let overlapping = 0;
    for (let i = 0; i < keys; i++) {
      backend.setCurrentKey(i);
      const store = backend.store();
      if (i % 7 === 0) {
        store.getState(N).clear();
        store.getListState(L).clear();
      } else {
        store.getListState(L).add('after the cut'); // in place on the heap
        if (kind === 'heap')
          store.getState(N).value()!.n = -1; // in place, without update()
        else store.getState(N).update({ n: -1 });
      }
      write(backend, `new-${i}`, i);
      if (i % 200 === 0) {
        await nextTurn();
        if (!settled) overlapping++;
      }
    }
    await done;
    assert.ok(overlapping > 0, 'the snapshot was still being written while state changed');
    const restored = testBackend(t, kind === 'heap' ? 'lmdb' : 'heap');
    await restoreFrom(restored, [(await writer.finish()).data]);
    assert.deepEqual(await canonicalEntries(restored), expected);
  });
}

test('lmdb: checkpoints are incremental chains a reader merges, at any parallelism', async (t) => {
  const clock = new ManualClock(0);
  const lmdb = testBackend(t, 'lmdb', { clock, cacheRows: 100 });
  const checkpoint = async (checkpointId: number, incrementalBase?: number) => {
    const writer = createSnapshotBufferWriter();
    await lmdb.snapshot(writer, { checkpointId, incrementalBase });
    return writer.finish();
  };
  for (let i = 0; i < 5_000; i++) write(lmdb, i, i);
  const first = await checkpoint(1);
  assert.equal(first.chain?.base, undefined);

  for (let i = 0; i < 100; i++) write(lmdb, i, -i);
  for (let i = 100; i < 150; i++) {
    lmdb.setCurrentKey(i);
    lmdb.store().getState(N).clear();
    lmdb.store().getListState(L).clear();
  }
  for (let i = 0; i < 30; i++) write(lmdb, `new-${i}`, i);
  const second = await checkpoint(2, 1);
  assert.equal(second.chain?.base, 1);
  assert.ok(second.bytes * 10 < first.bytes, `delta ${second.bytes} B vs full ${first.bytes} B`);

  for (let i = 0; i < 10; i++) write(lmdb, i, 1_000 + i);
  lmdb.setCurrentKey('new-0');
  lmdb.store().getState(N).clear();
  lmdb.store().getListState(L).clear();
  const third = await checkpoint(3, 2);
  const expected = await canonicalEntries(lmdb); // a savepoint in between: it leaves the chain alone

  const chain = [third.data, first.data, second.data];
  const heap = testBackend(t, 'heap', { clock });
  await restoreFrom(heap, chain);
  assert.deepEqual(await canonicalEntries(heap), expected);
  assert.equal(heap.keyCount(), 5_000 - 50 + 29);

  const parts = [];
  for (let subtaskIndex = 0; subtaskIndex < 2; subtaskIndex++) {
    const keyGroups = keyGroupRangeFor(subtaskIndex, 128, 2);
    const part = testBackend(t, 'lmdb', { clock, keyGroups });
    await restoreFrom(part, chain, { keyGroups, subtaskIndex, parallelism: 2 });
    parts.push(...(await canonicalEntries(part)));
  }
  assert.deepEqual(sortEntries(parts), expected);

  await assert.rejects(
    openSnapshotBuffers([first.data, third.data], {
      keyGroups: { start: 0, end: 127 },
      subtaskIndex: 0,
      parallelism: 1,
    }),
    (e) => isStreamError(e, 'ENG_RESTORE_FAILED'),
  );

  // Checkpoint 3 "failed": a delta against 2 still holds everything changed since 2.
  write(lmdb, 'late', 1);
  const fourth = await checkpoint(4, 2);
  const again = testBackend(t, 'heap', { clock });
  await restoreFrom(again, [first.data, second.data, fourth.data]);
  assert.deepEqual(await canonicalEntries(again), await canonicalEntries(lmdb));

  // A base this backend did not write (or forgot) gives a complete snapshot.
  const unknownBase = await checkpoint(5, 99);
  assert.equal(unknownBase.chain?.base, undefined);
});

test('lmdb: a key changed again after a checkpoint, then written back to lmdb, is in the next delta', async (t) => {
  const lmdb = testBackend(t, 'lmdb', { cacheRows: 2 });
  const checkpoint = async (checkpointId: number, incrementalBase?: number) => {
    const writer = createSnapshotBufferWriter();
    await lmdb.snapshot(writer, { checkpointId, incrementalBase });
    return (await writer.finish()).data;
  };
  write(lmdb, 'k1', 1); // still only in the cache at the first checkpoint
  const first = await checkpoint(1);
  write(lmdb, 'k1', 2);
  for (const other of ['k2', 'k3', 'k4']) write(lmdb, other, 0); // k1 is evicted: written back
  const second = await checkpoint(2, 1);
  const heap = testBackend(t, 'heap');
  await restoreFrom(heap, [first, second]);
  heap.setCurrentKey('k1');
  assert.deepEqual(heap.store().getState(N).value(), { n: 2 });
  assert.deepEqual(heap.store().getListState(L).get(), ['v1', 'v2']);
  assert.deepEqual(await canonicalEntries(heap), await canonicalEntries(lmdb));
});
