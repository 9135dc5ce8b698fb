import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { type SegmentStats, segmentsToDelete } from './log-retention.ts';
import { makeBatch, payloadFor, tempDir } from './test-support/batches.ts';
import { openLog, readAll } from './test-support/log-helpers.ts';

const dirs: Array<() => Promise<void>> = [];
after(() => Promise.all(dirs.map((cleanup) => cleanup())));
async function freshDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  dirs.push(cleanup);
  return dir;
}

const seg = (baseOffset: number, nextOffset: number, size: number, timestamp: number): SegmentStats => ({
  baseOffset,
  nextOffset,
  size,
  timestamp,
});

test('segmentsToDelete: time, size and log-start passes delete oldest whole segments only', () => {
  const segs = [seg(0, 10, 100, 1000), seg(10, 20, 100, 2000), seg(20, 30, 100, 3000), seg(30, 35, 50, 4000)];
  const base = { retentionMs: -1, retentionBytes: -1, now: 5000, highWatermark: 35, logStartOffset: 0 };
  assert.equal(segmentsToDelete(segs, base), 0);
  assert.equal(
    segmentsToDelete(segs, { ...base, retentionMs: 2500 }),
    2,
    'segments with max ts older than now-2500',
  );
  assert.equal(
    segmentsToDelete(segs, { ...base, retentionMs: 500 }),
    4,
    'the expired active segment counts too',
  );
  // As in Kafka, the log never shrinks below retention.bytes: a segment goes only if the rest still exceeds it.
  assert.equal(
    segmentsToDelete(segs, { ...base, retentionBytes: 200 }),
    1,
    '350 - 100 >= 200, 250 - 100 < 200',
  );
  assert.equal(segmentsToDelete(segs, { ...base, retentionBytes: 150 }), 2);
  assert.equal(segmentsToDelete(segs, { ...base, retentionBytes: 349 }), 0);
  assert.equal(segmentsToDelete(segs, { ...base, logStartOffset: 25 }), 2);
  assert.equal(
    segmentsToDelete(segs, { ...base, logStartOffset: 35 }),
    3,
    'never the active one by log start',
  );
  assert.equal(
    segmentsToDelete(segs, { ...base, retentionMs: 500, highWatermark: 15 }),
    1,
    'data above the high watermark is kept',
  );
});

test('retention by size deletes whole old segments and moves the log start offset', async () => {
  const dir = await freshDir();
  const log = await openLog(dir, { segmentBytes: 500, retentionMs: -1 });
  for (let i = 0; i < 40; i++) await log.append(makeBatch({ payload: payloadFor(i, 100) }));
  const before = log.segmentBaseOffsets;
  const size = log.sizeInBytes;
  log.updateConfig({ ...log.currentConfig, retentionBytes: Math.floor(size / 2) });
  const deleted = await log.applyRetention();
  assert.ok(deleted > 0);
  assert.deepEqual(log.segmentBaseOffsets, before.slice(deleted));
  assert.equal(log.logStartOffset, before[deleted]);
  const limit = Math.floor(size / 2);
  assert.ok(log.sizeInBytes >= limit, 'never below retention.bytes');
  assert.ok(log.sizeInBytes - 500 < limit, 'dropping one more segment would go below it');
  const files = (await readdir(dir)).filter((n) => n.endsWith('.log'));
  assert.equal(files.length, before.length - deleted);
  assert.equal((await log.read(0, 1000)).outOfRange, true);
  const rest = await readAll(log);
  assert.equal(rest[0].baseOffset, log.logStartOffset);
  assert.deepEqual(rest[0].payload, payloadFor(log.logStartOffset, 100));
  await log.close();
  const reopened = await openLog(dir, { segmentBytes: 500, retentionMs: -1 });
  assert.equal(reopened.logStartOffset, before[deleted]);
  await reopened.close();
});

test('retention by time deletes expired segments, rolling an expired active segment', async () => {
  let now = 1_000_000;
  const log = await openLog(await freshDir(), { segmentBytes: 400, retentionMs: 10_000 }, () => now);
  for (let i = 0; i < 10; i++) await log.append(makeBatch({ timestamp: now, payload: payloadFor(i, 100) }));
  now += 5000;
  for (let i = 10; i < 20; i++) await log.append(makeBatch({ timestamp: now, payload: payloadFor(i, 100) }));
  const firstNew = log.segmentBaseOffsets.find((b) => b >= 10);
  now += 6000; // the first ten batches are 11 s old, the rest 6 s
  const deleted = await log.applyRetention();
  assert.ok(deleted > 0);
  assert.ok(log.logStartOffset <= 10 && log.logStartOffset > 0, `log start ${log.logStartOffset}`);
  assert.ok(firstNew === undefined || log.segmentBaseOffsets[0] <= firstNew);
  now += 20_000;
  await log.applyRetention();
  assert.equal(log.logStartOffset, 20, 'everything expired, including the old active segment');
  assert.deepEqual(log.segmentBaseOffsets, [20]);
  assert.equal((await log.append(makeBatch())).baseOffset, 20);
  await log.close();
});

test('deleteRecordsBefore moves the log start inside a segment and rejects offsets past the high watermark', async () => {
  const log = await openLog(await freshDir(), { segmentBytes: 300, retentionMs: -1 });
  for (let i = 0; i < 12; i++) await log.append(makeBatch({ count: 2, payload: payloadFor(i, 60) }));
  const segments = log.segmentBaseOffsets.length;
  assert.equal(await log.deleteRecordsBefore(9), 9);
  assert.equal(log.logStartOffset, 9);
  assert.ok(log.segmentBaseOffsets.length < segments);
  assert.equal((await log.read(7, 100)).outOfRange, true);
  const [first] = await readAll(log);
  assert.equal(first.baseOffset, 8, 'the batch holding the log start is returned whole');
  await assert.rejects(log.deleteRecordsBefore(25), (e) => isStreamError(e, 'BRK_LOG_OFFSET_OUT_OF_RANGE'));
  await log.close();
  const reopened = await openLog(log.dir, { segmentBytes: 300 });
  assert.equal(reopened.logStartOffset, 9);
  await reopened.close();
});

test('segment.ms rolls the active segment by age', async () => {
  let now = 0;
  const log = await openLog(await freshDir(), { segmentMs: 1000 }, () => now);
  await log.append(makeBatch());
  now = 500;
  await log.append(makeBatch());
  assert.deepEqual(log.segmentBaseOffsets, [0]);
  now = 1001;
  await log.append(makeBatch());
  assert.deepEqual(log.segmentBaseOffsets, [0, 2]);
  await log.close();
});
