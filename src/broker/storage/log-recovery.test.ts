import assert from 'node:assert/strict';
import { appendFile, cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PartitionLog } from './partition-log.ts';
import { makeBatch, payloadFor, tempDir } from './test-support/batches.ts';
import { openLog, readAll } from './test-support/log-helpers.ts';

const dirs: Array<() => Promise<void>> = [];
after(() => Promise.all(dirs.map((cleanup) => cleanup())));
async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  dirs.push(cleanup);
  return dir;
}

const CONFIG = { segmentBytes: 1200, indexIntervalBytes: 150, retentionMs: -1 };

/** A log with `n` single-record batches (payload = payloadFor(i)), left open. */
async function filledLog(n: number): Promise<PartitionLog> {
  const log = await openLog(await freshDir(), CONFIG);
  for (let i = 0; i < n; i++) await log.append(makeBatch({ timestamp: 1000 + i, payload: payloadFor(i) }));
  return log;
}

/** Copies a live log's directory: what a kill -9 at this moment would leave on disk. */
async function crashCopy(log: PartitionLog): Promise<string> {
  await log.checkpoint(); // let background segment flushes land, as they would in a long-running broker
  const copy = await freshDir();
  await rm(copy, { recursive: true });
  await cp(log.dir, copy, { recursive: true });
  return copy;
}

async function lastSegmentFile(dir: string): Promise<string> {
  const logs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  return join(dir, logs[logs.length - 1]);
}

async function assertIntact(log: PartitionLog, n: number): Promise<void> {
  const batches = await readAll(log, 700);
  assert.equal(batches.length, n);
  batches.forEach((b, i) => {
    assert.equal(b.baseOffset, i);
    assert.deepEqual(b.payload, payloadFor(i));
  });
}

for (const [name, tail] of [
  ['half a batch', makeBatch({ payload: payloadFor(99) }).subarray(0, 80)],
  ['random garbage', payloadFor(12345, 300)],
  ['zero-filled space', Buffer.alloc(4096)],
  ['a few bytes', Buffer.from([0, 0, 0])],
] as const) {
  test(`a torn tail (${name}) is truncated on open and the log stays appendable`, async () => {
    const log = await filledLog(30);
    const copy = await crashCopy(log);
    await log.close();
    await appendFile(await lastSegmentFile(copy), tail);
    const recovered = await openLog(copy, CONFIG);
    assert.equal(recovered.recovery.cleanShutdown, false);
    assert.equal(recovered.recovery.truncatedBytes, tail.length);
    assert.notEqual(recovered.recovery.problem, null);
    assert.equal(recovered.logEndOffset, 30);
    await assertIntact(recovered, 30);
    assert.equal((await recovered.append(makeBatch({ payload: payloadFor(30) }))).baseOffset, 30);
    await assertIntact(recovered, 31);
    await recovered.close();
  });
}

test('a batch with a bad CRC ends the log at that batch', async () => {
  const log = await filledLog(30);
  const copy = await crashCopy(log);
  await log.close();
  const file = await lastSegmentFile(copy);
  const bytes = await readFile(file);
  // Flip a payload byte of the second-to-last batch; its length and magic still look fine.
  const last = makeBatch({ payload: payloadFor(29) }).length;
  const secondLast = makeBatch({ payload: payloadFor(28) }).length;
  bytes[bytes.length - last - 5] ^= 0xff;
  await writeFile(file, bytes);
  const recovered = await openLog(copy, CONFIG);
  assert.match(recovered.recovery.problem ?? '', /CRC/);
  assert.equal(recovered.recovery.truncatedBytes, last + secondLast);
  assert.equal(recovered.logEndOffset, 28);
  await assertIntact(recovered, 28);
  await recovered.close();
});

test('without a checkpoint every segment is rescanned; damage in an old one drops the later segments', async () => {
  const log = await filledLog(40);
  assert.ok(log.segmentBaseOffsets.length >= 4);
  const cut = log.segmentBaseOffsets[2];
  const copy = await crashCopy(log);
  await log.close();
  await rm(join(copy, 'checkpoint.json'));
  const files = (await readdir(copy)).filter((n) => n.endsWith('.log')).sort();
  const second = join(copy, files[1]);
  const size = (await readFile(second)).length;
  await truncate(second, size - 10);
  const recovered = await openLog(copy, CONFIG);
  assert.equal(recovered.recovery.segmentsScanned, 2);
  const lastBatch = makeBatch({ payload: payloadFor(cut - 1) }).length;
  assert.equal(recovered.logEndOffset, cut - 1, 'the torn batch and everything after it is gone');
  assert.equal(recovered.recovery.truncatedBytes, lastBatch - 10 + (await sizeOfLogs(log.dir, 2)));
  await assertIntact(recovered, cut - 1);
  await recovered.append(makeBatch({ payload: payloadFor(cut - 1) }));
  await assertIntact(recovered, cut);
  await recovered.close();
});

test('an unclean open scans only from the recovery point', async () => {
  const log = await filledLog(40);
  const copy = await crashCopy(log);
  await log.close();
  const recovered = await openLog(copy, CONFIG);
  assert.equal(recovered.recovery.segmentsScanned, 1, 'only the active segment is after the recovery point');
  await assertIntact(recovered, 40);
  await recovered.close();
});

test('missing or damaged index files are rebuilt', async () => {
  const log = await filledLog(40);
  await log.close();
  const names = (await readdir(log.dir)).sort();
  const indexes = names.filter((n) => n.endsWith('.index'));
  const timeindexes = names.filter((n) => n.endsWith('.timeindex'));
  await writeFile(join(log.dir, indexes[0]), payloadFor(5, 24));
  await rm(join(log.dir, timeindexes[1]));
  await appendFile(join(log.dir, indexes[2]), Buffer.from([1, 2, 3]));
  const reopened = await openLog(log.dir, CONFIG);
  assert.equal(reopened.recovery.indexesRebuilt, 3);
  await assertIntact(reopened, 40);
  for (const ts of [1000, 1007, 1021, 1039])
    assert.equal((await reopened.offsetForTimestamp(ts))?.offset, ts - 1000);
  await reopened.close();
  const again = await openLog(log.dir, CONFIG);
  assert.equal(again.recovery.indexesRebuilt, 0, 'rebuilt indexes were written back');
  await again.close();
});

/** Bytes of the `.log` files of `dir` from the (0-based) `from`-th on. */
async function sizeOfLogs(dir: string, from: number): Promise<number> {
  const files = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
  let total = 0;
  for (const f of files.slice(from)) total += (await readFile(join(dir, f))).length;
  return total;
}
