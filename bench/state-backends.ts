// `npm run bench -- state-backends [--heap-keys N] [--lmdb-keys N]`: keyed state backends and their
// snapshots (docs/internals/state-snapshots.md quotes the figures).
//   heap: ~100 MB of state; the pause at the barrier (copy-on-touch), the whole asynchronous snapshot,
//         the longest stall of the event loop meanwhile, and what a synchronous snapshot would pause.
//   lmdb: N small values (default 2 M; 10 M is the documented manual run); write, random-read and
//         restore rates, the pause, a full and an incremental snapshot (after 1 % of keys changed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ManualClock } from '../src/common/time.ts';
import type { KeyedStateBackend } from '../src/state/backend.ts';
import { createHeapStateBackend } from '../src/state/heap-backend.ts';
import { createLmdbStateBackend } from '../src/state/lmdb-backend.ts';
import { createSnapshotFileWriter, openSnapshotReader } from '../src/state/snapshot-file.ts';
import { benchReport, printReport } from './lib/report.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const HEAP_KEYS = arg('--heap-keys', 170_000);
const LMDB_KEYS = arg('--lmdb-keys', 2_000_000);
const ALL = { keyGroups: { start: 0, end: 127 }, subtaskIndex: 0, parallelism: 1 };
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-state-'));
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

/** Runs a snapshot to the end while measuring its synchronous pause and the longest event-loop stall. */
async function timedSnapshot(
  backend: KeyedStateBackend,
  path: string,
  options?: { checkpointId: number; incrementalBase?: number },
) {
  const writer = createSnapshotFileWriter(path);
  let stall = 0;
  let running = true;
  const watch = (async () => {
    for (let last = performance.now(); running; ) {
      await nextTurn();
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
    }
  })();
  const start = performance.now();
  const done = backend.snapshot(writer, options);
  const pause = performance.now() - start;
  await done;
  const info = await writer.finish();
  const total = performance.now() - start;
  running = false;
  await watch;
  return { pause, total, stall, bytes: info.bytes };
}

async function heap(): Promise<Record<string, number>> {
  const clock = new ManualClock(0);
  const backend = createHeapStateBackend({ clock, keyGroups: ALL.keyGroups, maxParallelism: 128 });
  const profile = backend
    .store()
    .getState<{ user: string; visits: number; pages: string[] }>({ kind: 'value', name: 'p' });
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < HEAP_KEYS; i++) {
    backend.setCurrentKey(`user-${i}`);
    profile.update({ user: `user-${i}`, visits: i, pages: [`/page/${i % 97}`, `/item/${i}`, '/cart'] });
  }
  const stateBytes = process.memoryUsage().heapUsed - before;
  const snap = await timedSnapshot(backend, join(dir, 'heap.snap'));
  // A synchronous snapshot pauses for all of its serialization: starting a second snapshot completes
  // a running one synchronously, so timing that call measures exactly that.
  const writers = [
    createSnapshotFileWriter(join(dir, 'heap-a.snap')),
    createSnapshotFileWriter(join(dir, 'heap-b.snap')),
  ];
  const first = backend.snapshot(writers[0]);
  const start = performance.now();
  const second = backend.snapshot(writers[1]);
  const syncPause = performance.now() - start;
  await Promise.all([first, second]);
  await Promise.all(writers.map((w) => w.finish()));
  backend.dispose();
  return {
    heapKeys: HEAP_KEYS,
    heapStateMB: mb(stateBytes),
    heapPauseMs: snap.pause,
    heapSnapshotMs: snap.total,
    heapMaxStallMs: snap.stall,
    heapSyncSnapshotPauseMs: syncPause,
    heapSnapshotMB: mb(snap.bytes),
  };
}

async function lmdb(): Promise<Record<string, number>> {
  const clock = new ManualClock(0);
  const options = { clock, keyGroups: ALL.keyGroups, maxParallelism: 128 };
  const backend = createLmdbStateBackend({ ...options, dir: join(dir, 'lmdb') });
  const count = backend.store().getState<number>({ kind: 'value', name: 'n' });
  let start = performance.now();
  for (let i = 0; i < LMDB_KEYS; i++) {
    backend.setCurrentKey(`user-${i}`);
    count.update(i);
  }
  const writeMs = performance.now() - start;
  const reads = Math.min(LMDB_KEYS, 1_000_000);
  start = performance.now();
  for (let i = 0; i < reads; i++) {
    backend.setCurrentKey(`user-${(i * 7_919) % LMDB_KEYS}`);
    count.value();
  }
  const readMs = performance.now() - start;
  const full = await timedSnapshot(backend, join(dir, 'lmdb-1.snap'), { checkpointId: 1 });
  const changed = Math.floor(LMDB_KEYS / 100);
  for (let i = 0; i < changed; i++) {
    backend.setCurrentKey(`user-${(i * 104_729) % LMDB_KEYS}`);
    count.update(-i);
  }
  const delta = await timedSnapshot(backend, join(dir, 'lmdb-2.snap'), {
    checkpointId: 2,
    incrementalBase: 1,
  });
  const heapUsed = process.memoryUsage().heapUsed;
  backend.dispose();
  await backend.closed;
  const restored = createLmdbStateBackend({ ...options, dir: join(dir, 'lmdb-restored') });
  start = performance.now();
  await restored.restore(await openSnapshotReader([join(dir, 'lmdb-1.snap'), join(dir, 'lmdb-2.snap')], ALL));
  const restoreMs = performance.now() - start;
  if (restored.keyCount() !== LMDB_KEYS)
    throw new Error(`restored ${restored.keyCount()} keys of ${LMDB_KEYS}`);
  restored.dispose();
  await restored.closed;
  return {
    lmdbKeys: LMDB_KEYS,
    lmdbWritesPerSec: rate(LMDB_KEYS, writeMs),
    lmdbRandomReadsPerSec: rate(reads, readMs),
    lmdbHeapUsedMB: mb(heapUsed),
    lmdbPauseMs: full.pause,
    lmdbFullSnapshotMs: full.total,
    lmdbFullSnapshotMB: mb(full.bytes),
    lmdbMaxStallMs: full.stall,
    lmdbDeltaPauseMs: delta.pause,
    lmdbDeltaSnapshotMs: delta.total,
    lmdbDeltaSnapshotMB: mb(delta.bytes),
    lmdbRestoreKeysPerSec: rate(LMDB_KEYS, restoreMs),
  };
}

try {
  const metrics = { ...(await heap()), ...(await lmdb()) };
  for (const [k, v] of Object.entries(metrics)) metrics[k] = Math.round(v * 10) / 10;
  printReport(
    benchReport('state-backends', metrics),
    `state-backends: heap ${metrics.heapStateMB} MB pause ${metrics.heapPauseMs} ms (sync would be ${metrics.heapSyncSnapshotPauseMs} ms); ` +
      `lmdb ${metrics.lmdbKeys} keys ${metrics.lmdbWritesPerSec} writes/s, full snapshot ${metrics.lmdbFullSnapshotMB} MB, delta ${metrics.lmdbDeltaSnapshotMB} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
