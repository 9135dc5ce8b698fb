import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loopbackTcp, sequentialWrite } from './machine-limits.ts';
import { exitedChildrenCpuSeconds, processCpuSeconds } from './proc-cpu.ts';

test('sequential writes stop at maxBytes, count their writes and leave no file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-limits-'));
  try {
    for (const sync of [true, false]) {
      const w = sequentialWrite(dir, { chunkBytes: 4096, maxBytes: 64 * 1024, maxMs: 10_000, sync });
      assert.ok(w.mbPerSec > 0 && Number.isFinite(w.mbPerSec));
      // 16 writes of 4 KiB: throughput and write rate must agree.
      assert.ok(Math.abs(w.opsPerSec * 4096 - w.mbPerSec * 1e6) < 1e-6 * w.mbPerSec * 1e6);
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loopback TCP between two processes moves bytes', async () => {
  const { mbPerSec } = await loopbackTcp(200, 64 * 1024);
  assert.ok(mbPerSec > 0 && Number.isFinite(mbPerSec));
});

test('process CPU time grows with work (Linux /proc)', { skip: process.platform !== 'linux' }, () => {
  const before = processCpuSeconds(process.pid);
  // Spin for 200 ms of CPU (not wall) time, so a busy machine cannot make this flaky.
  const start = process.cpuUsage();
  while (process.cpuUsage(start).user < 200_000);
  assert.ok(processCpuSeconds(process.pid) - before >= 0.15);
  assert.ok(exitedChildrenCpuSeconds() >= 0);
});
