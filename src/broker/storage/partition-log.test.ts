import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { crc32c, makeBatch, payloadFor, tempDir } from './test-support/batches.ts';
import { openLog, readAll, splitBatches } from './test-support/log-helpers.ts';

const dirs: Array<() => Promise<void>> = [];
after(() => Promise.all(dirs.map((cleanup) => cleanup())));
async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  dirs.push(cleanup);
  return dir;
}

test('appends assign consecutive offsets and read back intact across segment rolls', async () => {
  const dir = await freshDir();
  const log = await openLog(dir, { segmentBytes: 1000, indexIntervalBytes: 200 });
  const expected: Array<{ base: number; count: number; seed: number }> = [];
  for (let seed = 0; seed < 60; seed++) {
    const count = 1 + (seed % 4);
    const result = await log.append(makeBatch({ count, payload: payloadFor(seed) }));
    const base =
      expected.length === 0 ? 0 : expected[expected.length - 1].base + expected[expected.length - 1].count;
    assert.equal(result.baseOffset, base);
    assert.equal(result.lastOffset, base + count - 1);
    expected.push({ base, count, seed });
  }
  assert.ok(log.segmentBaseOffsets.length > 5, `expected rolls, got ${log.segmentBaseOffsets}`);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.log'));
  assert.ok(names.every((n) => /^\d{20}\.log$/.test(n)));
  for (const maxBytes of [1, 300, 100_000]) {
    const batches = await readAll(log, maxBytes);
    assert.deepEqual(
      batches.map((b) => [b.baseOffset, b.lastOffset]),
      expected.map((e) => [e.base, e.base + e.count - 1]),
    );
    for (const [i, b] of batches.entries()) assert.deepEqual(b.payload, payloadFor(expected[i].seed));
  }
  await log.close();
});

test('a fetch offset inside a batch returns that whole batch', async () => {
  const log = await openLog(await freshDir(), { indexIntervalBytes: 0 });
  await log.append(makeBatch({ count: 5, payload: payloadFor(1) }));
  await log.append(makeBatch({ count: 5, payload: payloadFor(2) }));
  for (const offset of [5, 7, 9]) {
    const [first] = splitBatches((await log.read(offset, 1_000_000)).records);
    assert.equal(first.baseOffset, 5);
    assert.equal(first.lastOffset, 9);
    assert.deepEqual(first.payload, payloadFor(2));
  }
  await log.close();
});

test('the first batch is returned whole even when larger than maxBytes; later ones only if they fit', async () => {
  const log = await openLog(await freshDir());
  const big = makeBatch({ payload: payloadFor(3, 5000) });
  const small = makeBatch({ payload: payloadFor(4, 10) });
  await log.append(big);
  await log.append(small);
  const one = splitBatches((await log.read(0, 100)).records);
  assert.equal(one.length, 1);
  assert.equal(one[0].bytes.length, big.length);
  const both = splitBatches((await log.read(0, big.length + small.length)).records);
  assert.equal(both.length, 2);
  const cut = splitBatches((await log.read(0, big.length + small.length - 1)).records);
  assert.equal(cut.length, 1, 'a batch that does not fit whole is left out');
  await log.close();
});

test('reads outside [logStart, logEnd] are out of range; at the end they are empty', async () => {
  const log = await openLog(await freshDir());
  await log.append(makeBatch({ count: 3 }));
  const atEnd = await log.read(3, 1000);
  assert.equal(atEnd.outOfRange, false);
  assert.equal(atEnd.records.length, 0);
  assert.equal((await log.read(4, 1000)).outOfRange, true);
  assert.equal((await log.read(-1, 1000)).outOfRange, true);
  await log.close();
});

test('maxOffset stops a read at a batch boundary', async () => {
  const log = await openLog(await freshDir());
  for (let i = 0; i < 4; i++) await log.append(makeBatch({ count: 2 }));
  const upTo4 = splitBatches((await log.read(0, 1_000_000, { maxOffset: 4 })).records);
  assert.deepEqual(
    upTo4.map((b) => b.baseOffset),
    [0, 2],
  );
  await log.close();
});

test('one append may carry several batches', async () => {
  const log = await openLog(await freshDir());
  await log.append(makeBatch({ count: 2 }));
  const two = Buffer.concat([
    makeBatch({ count: 3, payload: payloadFor(7) }),
    makeBatch({ count: 1, payload: payloadFor(8) }),
  ]);
  const result = await log.append(two);
  assert.deepEqual([result.baseOffset, result.lastOffset], [2, 5]);
  const batches = await readAll(log);
  assert.deepEqual(
    batches.map((b) => b.baseOffset),
    [0, 2, 5],
  );
  assert.deepEqual(batches[2].payload, payloadFor(8));
  await log.close();
});

test('malformed input is rejected without touching the log', async () => {
  const log = await openLog(await freshDir());
  const torn = makeBatch({ payload: payloadFor(1) }).subarray(0, 70);
  await assert.rejects(log.append(torn), (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'));
  const v1 = makeBatch();
  v1.writeInt8(1, 16);
  await assert.rejects(log.append(v1), (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'));
  assert.equal(log.logEndOffset, 0);
  await log.close();
});

test('offsetForTimestamp finds the first batch with timestamp >= ts, across segments', async () => {
  const log = await openLog(await freshDir(), { segmentBytes: 600, indexIntervalBytes: 100 });
  // Timestamps rise by 10 per batch with one out-of-order batch.
  const stamps = [100, 110, 120, 130, 125, 140, 150, 160, 170, 180, 190, 200, 210, 220];
  for (const [i, ts] of stamps.entries())
    await log.append(makeBatch({ count: 2, timestamp: ts, payload: payloadFor(i) }));
  assert.ok(log.segmentBaseOffsets.length > 2);
  const expect = (ts: number) => {
    const i = stamps.findIndex((s) => s >= ts);
    return i < 0 ? null : i * 2;
  };
  for (const ts of [0, 100, 101, 121, 125, 126, 131, 175, 220, 221]) {
    const found = await log.offsetForTimestamp(ts);
    assert.equal(found === null ? null : found.offset, expect(ts), `ts ${ts}`);
  }
  await log.close();
  const reopened = await openLog(log.dir, { segmentBytes: 600, indexIntervalBytes: 100 });
  assert.equal((await reopened.offsetForTimestamp(175))?.offset, expect(175));
  await reopened.close();
});

test('fsync mode: concurrent appends share flushes and resolve with increasing offsets', async () => {
  const log = await openLog(await freshDir(), { durability: 'fsync' });
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => log.append(makeBatch({ payload: payloadFor(i) }))),
  );
  assert.deepEqual(
    results.map((r) => r.baseOffset),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(log.highWatermark, 50, 'acked appends are below the high watermark');
  assert.equal((await readAll(log)).length, 50);
  await log.close();
});

test('a clean close reopens without scanning and keeps appending', async () => {
  const dir = await freshDir();
  const log = await openLog(dir, { segmentBytes: 800 });
  for (let i = 0; i < 20; i++) await log.append(makeBatch({ payload: payloadFor(i) }));
  await log.close();
  const reopened = await openLog(dir, { segmentBytes: 800 });
  assert.equal(reopened.recovery.cleanShutdown, true);
  assert.equal(reopened.recovery.segmentsScanned, 0);
  assert.equal(reopened.logEndOffset, 20);
  assert.equal((await reopened.append(makeBatch())).baseOffset, 20);
  assert.equal((await readAll(reopened)).length, 21);
  await reopened.close();
  // The clean marker was dropped by the append; an unclean reopen would scan, a clean one would not.
  const third = await openLog(dir, { segmentBytes: 800 });
  assert.equal(third.logEndOffset, 21);
  await third.close();
});

test('stored batches keep valid CRCs after the base offset rewrite', async () => {
  const log = await openLog(await freshDir());
  await log.append(makeBatch({ count: 3 }));
  await log.append(makeBatch({ payload: payloadFor(9) }));
  for (const b of await readAll(log)) {
    assert.equal(b.bytes.readUInt32BE(17), crc32c(b.bytes.subarray(21)));
  }
  await log.close();
});
