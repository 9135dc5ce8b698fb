import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { ManualClock } from '../common/time.ts';
import { keyGroupOf, keyGroupRangeFor } from './key-groups.ts';
import { BACKEND_KINDS, testBackend } from './testing-support/backends.ts';
import {
  canonicalEntries,
  fillAllKinds,
  readAllKinds,
  restoreFrom,
  SAMPLE_KEYS,
  snapshotBytes,
} from './testing-support/snapshots.ts';

for (const from of BACKEND_KINDS) {
  for (const to of BACKEND_KINDS) {
    test(`${from} → ${to}: every kind of state, namespaces and TTL stamps survive; expired entries are not written`, async (t) => {
      const clock = new ManualClock(0);
      const source = testBackend(t, from, { clock, cacheRows: 2 });
      fillAllKinds(source, clock);
      const bytes = await snapshotBytes(source);
      const target = testBackend(t, to, { clock, cacheRows: 2 });
      await restoreFrom(target, [bytes]);

      const written = await canonicalEntries(target);
      assert.deepEqual(written, await canonicalEntries(source));
      assert.equal(written.filter(([, e]) => e.state === 'gone').length, 0, 'expired at the cut: left out');
      assert.equal(target.keyCount(), SAMPLE_KEYS.length);
      for (const key of SAMPLE_KEYS) assert.deepEqual(readAllKinds(target, key), readAllKinds(source, key));
      assert.deepEqual(readAllKinds(target, ['tuple', 1]), {
        count: 2,
        profile: { since: new Date(2_000), tags: new Set(['t2', 'all']) },
        pages: ['/a2', '/b2'],
        window: ['window-2'],
        hits: [
          ['/a2', 3],
          ['/', 100],
        ],
        max: 7,
        avg: (2 + 4 + 7) / 3,
        session: 'session of ["tuple",1]',
        recent: ['early', 'late'],
        seen: [
          ['early', 1],
          ['late', 2],
        ],
        gone: undefined,
      });
      // Each element keeps its own stamp: 'early' (1000) expires at 2000, 'late' (1500) at 2500.
      clock.set(2_000);
      for (const key of SAMPLE_KEYS) assert.deepEqual(readAllKinds(target, key), readAllKinds(source, key));
      const later = readAllKinds(target, 'ann') as Record<string, unknown>;
      assert.deepEqual(
        [later.recent, later.seen, later.session],
        [['late'], [['late', 2]], 'session of "ann"'],
      );
      clock.set(2_500);
      const last = readAllKinds(target, 'ann') as Record<string, unknown>;
      assert.deepEqual([last.recent, last.seen, last.session], [[], [], undefined]);
    });
  }
}

test('heap → lmdb → heap gives back the same canonical state', async (t) => {
  const clock = new ManualClock(0);
  const heap = testBackend(t, 'heap', { clock });
  fillAllKinds(heap, clock);
  const lmdb = testBackend(t, 'lmdb', { clock, cacheRows: 1 });
  await restoreFrom(lmdb, [await snapshotBytes(heap)]);
  const again = testBackend(t, 'heap', { clock });
  await restoreFrom(again, [await snapshotBytes(lmdb)]);
  assert.deepEqual(await canonicalEntries(again), await canonicalEntries(heap));
});

test('2 → 3 subtasks: the restored keys are the original ones, each in the subtask owning its key group', async (t) => {
  const clock = new ManualClock(0);
  const snapshots: Buffer[] = [];
  for (let subtask = 0; subtask < 2; subtask++) {
    // One old subtask on each backend: the format does not care.
    const old = testBackend(t, BACKEND_KINDS[subtask], {
      clock,
      keyGroups: keyGroupRangeFor(subtask, 128, 2),
      cacheRows: 50,
    });
    const range = keyGroupRangeFor(subtask, 128, 2);
    for (let i = 0; i < 1_000; i++) {
      const key = `user-${i}`;
      const group = keyGroupOf(key, 128);
      if (group < range.start || group > range.end) continue;
      old.setCurrentKey(key);
      old.store().getState<number>({ kind: 'value', name: 'n' }).update(i);
      old
        .store(`${i % 3}:9`)
        .getListState<number>({ kind: 'list', name: 'l' })
        .add(i);
    }
    snapshots.push(await snapshotBytes(old));
  }
  const restored = new Map<string, number>();
  for (let subtaskIndex = 0; subtaskIndex < 3; subtaskIndex++) {
    const keyGroups = keyGroupRangeFor(subtaskIndex, 128, 3);
    const backend = testBackend(t, BACKEND_KINDS[subtaskIndex % 2], { clock, keyGroups, cacheRows: 50 });
    await restoreFrom(backend, snapshots, { keyGroups, subtaskIndex, parallelism: 3 });
    const entries = await canonicalEntries(backend);
    for (const [group, entry] of entries) {
      assert.ok(
        group >= keyGroups.start && group <= keyGroups.end,
        `key group ${group} in subtask ${subtaskIndex}`,
      );
      if (entry.state !== 'n') continue;
      assert.equal(restored.has(entry.key as string), false, `${String(entry.key)} restored twice`);
      restored.set(entry.key as string, entry.value as number);
    }
    assert.equal(backend.keyCount(), entries.filter(([, e]) => e.state === 'n').length);
  }
  assert.equal(restored.size, 1_000);
  for (let i = 0; i < 1_000; i++) assert.equal(restored.get(`user-${i}`), i);
});

for (const kind of BACKEND_KINDS) {
  test(`${kind}: a state restored without TTL may get one, and one restored with TTL may lose it`, async (t) => {
    const clock = new ManualClock(100);
    const source = testBackend(t, kind, { clock });
    source.setCurrentKey('k');
    source.store().getState<string>({ kind: 'value', name: 'plain' }).update('p');
    source
      .store()
      .getListState<string>({ kind: 'list', name: 'stamped', ttl: { ttl: 50 } })
      .add('s');
    const target = testBackend(t, kind, { clock, cacheRows: 1 });
    await restoreFrom(target, [await snapshotBytes(source)]);
    clock.set(120); // the restore happened at 100
    target.setCurrentKey('k');
    const plain = target.store().getState<string>({ kind: 'value', name: 'plain', ttl: { ttl: 50 } });
    const stamped = target.store().getListState<string>({ kind: 'list', name: 'stamped' });
    assert.equal(plain.value(), 'p');
    target.setCurrentKey('other');
    target.setCurrentKey('k');
    clock.set(1_000);
    assert.equal(plain.value(), undefined, 'stamped at the restore, expired 50 ms later');
    assert.deepEqual(stamped.get(), ['s'], 'no TTL any more');
  });

  test(`${kind}: a restored state used with another kind, or keys of another maxParallelism, fail clearly`, async (t) => {
    const clock = new ManualClock(0);
    const source = testBackend(t, kind, { clock });
    let n = 0;
    while (keyGroupOf(`k${n}`, 128) < 64) n++; // its key group differs with 64 key groups
    source.setCurrentKey(`k${n}`);
    source.store().getListState<string>({ kind: 'list', name: 'pages' }).add('/');
    const bytes = await snapshotBytes(source);
    const target = testBackend(t, kind, { clock });
    await restoreFrom(target, [bytes]);
    assert.throws(
      () => target.store().getState({ kind: 'value', name: 'pages' }),
      (e) => isStreamError(e, 'ENG_STATE_DESCRIPTOR_CONFLICT') && /restored from a snapshot/.test(String(e)),
    );
    const other = testBackend(t, kind, { clock, maxParallelism: 64 });
    await assert.rejects(
      restoreFrom(other, [bytes]),
      (e) => isStreamError(e, 'ENG_RESTORE_FAILED') && /maxParallelism/.test(String(e)),
    );
  });
}
