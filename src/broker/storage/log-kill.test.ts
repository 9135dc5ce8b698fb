// A real crash test: a child process appends in fsync mode and prints every acknowledged offset; the test
// kills it with SIGKILL at a random moment, reopens the log and checks every acknowledged batch.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { crc32c, makeBatch, payloadFor, tempDir } from './test-support/batches.ts';
import { openLog, readAll, splitBatches } from './test-support/log-helpers.ts';

const CHILD = join(import.meta.dirname, 'test-support', 'append-child.ts');
const SEGMENT_BYTES = 16 * 1024;

const dirs: Array<() => Promise<void>> = [];
after(() => Promise.all(dirs.map((cleanup) => cleanup())));

interface Ack {
  seed: number;
  base: number;
  last: number;
}

/** Runs the child until it has acknowledged `minAcks` appends plus a random extra delay, then SIGKILLs it. */
async function runAndKill(dir: string, seedStart: number, minAcks: number): Promise<Ack[]> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, dir, String(SEGMENT_BYTES)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SEED_START: String(seedStart) },
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const acks: Ack[] = [];
  let killTimer: NodeJS.Timeout | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^(\d+) (\d+) (\d+)$/.exec(line);
    if (m === null) continue;
    acks.push({ seed: Number(m[1]), base: Number(m[2]), last: Number(m[3]) });
    if (acks.length === minAcks)
      killTimer = setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 150));
  }
  clearTimeout(killTimer);
  assert.equal(await exited, 'SIGKILL', 'the child must die by SIGKILL, not exit on its own');
  return acks;
}

test('every batch acknowledged in fsync mode survives kill -9, and the log recovers', async () => {
  const { dir, cleanup } = await tempDir('eddy-kill-');
  dirs.push(cleanup);
  const acked: Ack[] = [];
  for (let round = 0; round < 3; round++) {
    const acks = await runAndKill(dir, round * 1_000_000, 200 + Math.floor(Math.random() * 400));
    assert.ok(acks.length >= 200);
    acked.push(...acks);

    const log = await openLog(dir, { segmentBytes: SEGMENT_BYTES, retentionMs: -1 });
    for (const ack of acks) {
      const [batch] = splitBatches((await log.read(ack.base, 1)).records);
      assert.ok(batch !== undefined, `acked batch at ${ack.base} is missing`);
      assert.equal(batch.baseOffset, ack.base);
      assert.equal(batch.lastOffset, ack.last);
      assert.deepEqual(batch.payload, payloadFor(ack.seed));
      assert.equal(batch.bytes.readUInt32BE(17), crc32c(batch.bytes.subarray(21)), 'CRC intact');
    }
    // The whole log reads back as contiguous, intact batches (unacknowledged ones may or may not be there).
    const all = await readAll(log, 64 * 1024);
    let expected = 0;
    for (const batch of all) {
      assert.equal(batch.baseOffset, expected);
      assert.equal(batch.bytes.readUInt32BE(17), crc32c(batch.bytes.subarray(21)));
      expected = batch.lastOffset + 1;
    }
    assert.equal(expected, log.logEndOffset);
    const maxAcked = Math.max(...acked.map((a) => a.last));
    assert.ok(log.logEndOffset > maxAcked);
    const next = await log.append(makeBatch({ payload: payloadFor(7) }));
    assert.equal(next.baseOffset, log.logEndOffset - 1);
    await log.close();
  }
  assert.ok(acked.length >= 600);
});
