// Crash safety of the segment swap: a child process appends and compacts, and is killed with SIGKILL at
// each step of the swap protocol (and at random moments). After every kill the log must reopen to either
// the old or the new segments: whole batches with valid CRCs, offsets strictly increasing, every record the
// one written at its offset, the latest record of every key present, and no leftover swap files.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { compactionConfig } from './compaction-config.ts';
import { cleanPartition } from './log-cleaner.ts';
import { appendDerived, openCrashLog, recordAt } from './test-support/crash-log.ts';
import { readRecords, tempDir } from './test-support/records.ts';

const CHILD = join(import.meta.dirname, 'test-support', 'clean-child.ts');
const cleanups: Array<() => Promise<void>> = [];
after(() => Promise.all(cleanups.map((c) => c())));

/** Runs the child; with `killAt` kills it when it reports that step, else after `delayMs`. */
async function runAndKill(dir: string, killAt: string | null, delayMs: number): Promise<string> {
  const child = spawn(process.execPath, [CHILD, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KILL_AT: killAt ?? '' },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_c, signal) => resolve(signal)),
  );
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    last = line;
    if (killAt !== null && line.startsWith('ready')) child.kill('SIGKILL');
    if (killAt === null && line.startsWith('started'))
      timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  }
  clearTimeout(timer);
  assert.equal(await exited, 'SIGKILL', `the child died by SIGKILL (last output: ${last})`);
  return last;
}

/** Reopens the log and checks everything the crash may not break. */
async function verify(dir: string, what: string): Promise<void> {
  const log = await openCrashLog(dir);
  try {
    const end = log.logEndOffset;
    const records = await readRecords(log); // CRCs, order, no overlaps
    const seen = new Set<number>();
    for (const r of records) {
      assert.deepEqual([r.key, r.value], Object.values(recordAt(r.offset)), `${what}: record at ${r.offset}`);
      seen.add(r.offset);
    }
    const latest = new Map<string, number>();
    for (let offset = 0; offset < end; offset++) latest.set(recordAt(offset).key, offset);
    for (const [key, offset] of latest)
      assert.ok(seen.has(offset), `${what}: latest ${key} (${offset}) survives`);
    const leftovers = (await readdir(dir)).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap'));
    assert.deepEqual(leftovers, [], `${what}: no swap files left`);
  } finally {
    await log.close();
  }
}

test('kill -9 at every step of a compaction swap, and at random moments, leaves a consistent log', {
  timeout: 60_000,
}, async () => {
  const { dir, cleanup } = await tempDir('eddy-compact-kill-');
  cleanups.push(cleanup);
  const seed = await openCrashLog(dir);
  await appendDerived(seed, 150);
  await seed.close();
  await verify(dir, 'before any clean');

  const steps = ['cleaned', 'committed', 'old-deleted', 'renamed', 'indexed'];
  let round = 0;
  for (const step of steps) {
    for (const n of [1, 2]) {
      const last = await runAndKill(dir, `${step}:${n}`, 0);
      assert.equal(last, `ready ${step}`, 'the kill landed on the step');
      await verify(dir, `killed at ${step} #${n} (round ${round++})`);
    }
  }
  for (let i = 0; i < 6; i++) {
    await runAndKill(dir, null, 30 + Math.floor(Math.random() * 400));
    await verify(dir, `killed at random (round ${round++})`);
  }
  // A crash-recovered log compacts normally: one full clean here, then the same checks, far fewer records.
  const log = await openCrashLog(dir);
  const result = await cleanPartition(
    log,
    compactionConfig({ 'cleanup.policy': 'compact', 'segment.bytes': '1024' }),
    {
      force: true,
    },
  );
  assert.equal(result.cleaned, true);
  const end = log.logEndOffset;
  await log.close();
  await verify(dir, 'after a clean without crash');
  const reopened = await openCrashLog(dir);
  assert.ok((await readRecords(reopened)).length < end / 3);
  await reopened.close();
});
