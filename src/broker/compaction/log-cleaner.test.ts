import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ControlRecordType, encodeEndTxnMarkerBatch } from '../../protocol/record-batch/control.ts';
import { hasDeleteHorizon } from '../../protocol/record-batch/header.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import { type CompactionConfig, compactionConfig } from './compaction-config.ts';
import { cleanPartition } from './log-cleaner.ts';
import { batchOf, openLog, readBatches, readRecords, tempDir } from './test-support/records.ts';

const cleanups: Array<() => Promise<void>> = [];
after(() => Promise.all(cleanups.map((c) => c())));

async function freshLog(segmentBytes = 2048): Promise<PartitionLog> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return openLog(dir, { segmentBytes, indexIntervalBytes: 256 });
}

function config(overrides: Record<string, string> = {}): CompactionConfig {
  return compactionConfig({ 'cleanup.policy': 'compact', 'segment.bytes': '2048', ...overrides });
}

interface Written {
  key: string;
  value: string;
  codec: number;
}

/** Appends `batches` batches of 1–5 updates of `keyCount` keys; the value of each record names its offset. */
async function writeUpdates(
  log: PartitionLog,
  batches: number,
  keyCount: number,
  seed = 1,
  written = new Map<number, Written>(),
): Promise<Map<number, Written>> {
  let rnd = seed;
  const next = () => {
    rnd = (rnd * 1_103_515_245 + 12_345) % 2 ** 31;
    return rnd;
  };
  for (let i = 0; i < batches; i++) {
    const codec = i % 5;
    const base = log.logEndOffset;
    const records = Array.from({ length: 1 + (next() % 5) }, (_, j) => ({
      key: `k${next() % keyCount}`,
      value: `v${base + j}-${'x'.repeat(next() % 40)}`,
      timestamp: 1_000_000 + base + j,
    }));
    records.forEach((r, j) => {
      written.set(base + j, { key: r.key, value: r.value, codec });
    });
    await log.append(batchOf(records, { compression: codec }));
  }
  return written;
}

/** Offset of the latest record of each key among offsets below `end`. */
function latestBelow(written: Map<number, Written>, end: number): Map<string, number> {
  const latest = new Map<string, number>();
  for (const [offset, w] of written)
    if (offset < end) latest.set(w.key, Math.max(latest.get(w.key) ?? -1, offset));
  return latest;
}

test('compaction keeps the latest value per key, every offset and codec, and merges segments', async () => {
  const log = await freshLog();
  const written = await writeUpdates(log, 400, 8);
  const before = log.segmentBaseOffsets.length;
  const bytesBefore = log.sizeInBytes;
  const activeBase = log.segmentBaseOffsets.at(-1)!;
  assert.ok(before > 10, `several segments (${before})`);

  const result = await cleanPartition(log, config(), { force: true });
  assert.equal(result.cleaned, true);
  assert.equal(result.cleanedUpTo, activeBase, 'everything up to the active segment is clean');
  assert.ok(log.sizeInBytes < bytesBefore / 3);
  // Groups are sized by their input, so the small segments one clean leaves merge on the next.
  await cleanPartition(log, config(), { force: true });
  assert.ok(log.segmentBaseOffsets.length < before / 3, `segments merged: ${log.segmentBaseOffsets}`);

  const latest = latestBelow(written, activeBase);
  const expectOffsets = [...written.keys()].filter(
    (o) => o >= activeBase || latest.get(written.get(o)!.key) === o,
  );
  const check = async () => {
    const records = await readRecords(log);
    assert.deepEqual(
      records.map((r) => r.offset),
      expectOffsets,
    );
    for (const r of records) {
      const w = written.get(r.offset)!;
      assert.deepEqual([r.key, r.value], [w.key, w.value], `offset ${r.offset} keeps its record`);
      assert.equal(r.batch.compression, w.codec, `offset ${r.offset} keeps its codec`);
      assert.equal(r.timestamp, 1_000_000 + r.offset);
    }
  };
  await check();
  for (const key of new Set([...written.values()].map((w) => w.key))) {
    const last = Math.max(...[...written].filter(([, w]) => w.key === key).map(([o]) => o));
    assert.ok(expectOffsets.includes(last), `the newest ${key} is readable`);
  }

  // Reopen after a clean close, then after losing the checkpoint (full recovery scan): same content.
  await log.close();
  const reopened = await openLog(log.dir, { segmentBytes: 2048, indexIntervalBytes: 256 });
  const again = await readRecords(reopened);
  assert.deepEqual(
    again.map((r) => r.offset),
    expectOffsets,
  );
  await reopened.close();
  await rm(join(log.dir, 'checkpoint.json'));
  const rescanned = await openLog(log.dir, { segmentBytes: 2048, indexIntervalBytes: 256 });
  assert.equal(rescanned.recovery.truncatedBytes, 0);
  assert.deepEqual(
    (await readRecords(rescanned)).map((r) => r.offset),
    expectOffsets,
  );
  // The time index finds the first remaining batch at or after a timestamp.
  const batches = await readBatches(rescanned);
  for (const ts of [1_000_000, 1_000_000 + Math.floor(activeBase / 2), 1_000_000 + activeBase + 3]) {
    const expected = batches.find((b) => b.maxTimestamp >= ts)!;
    const found = await rescanned.offsetForTimestamp(ts);
    assert.equal(found?.offset, expected.baseOffset, `timestamp ${ts}`);
  }
  await rescanned.close();
  assert.deepEqual(
    (await readdir(log.dir)).filter((n) => n.includes('.cleaned') || n.includes('.swap')),
    [],
  );
});

test('dirty ratio: a clean log is left alone until enough new data arrives', async () => {
  const log = await freshLog();
  await writeUpdates(log, 200, 4);
  assert.equal((await cleanPartition(log, config())).cleaned, true, 'all dirty: ratio 1 > 0.5');
  const after = await cleanPartition(log, config());
  assert.equal(after.cleaned, false, 'nothing dirty');
  await writeUpdates(log, 8, 4, 7);
  const small = await cleanPartition(log, config({ 'min.cleanable.dirty.ratio': '0.99' }));
  assert.equal(small.cleaned, false);
  await writeUpdates(log, 200, 4, 9);
  const due = await cleanPartition(log, config());
  assert.equal(due.cleaned, true);
  assert.equal(due.reason, 'dirty-ratio');
  assert.ok(due.dirtyRatio > 0.5 && due.dirtyRatio <= 1);
  assert.equal((await cleanPartition(log, { ...config(), compact: false }, { force: true })).cleaned, false);
  await log.close();
});

test('tombstones stay for delete.retention.ms after the clean that first keeps them, then go', async () => {
  const log = await freshLog(1024);
  const t0 = 50_000_000;
  const retention = 60_000;
  for (const key of ['a', 'b', 'c', 'd']) await log.append(batchOf([{ key, value: `${key}-old` }]));
  await log.append(
    batchOf([
      { key: 'a', value: null },
      { key: 'b', value: null },
    ]),
  );
  const tombstoneOffsets = [4, 5];
  await writeUpdates(log, 60, 3); // other keys, enough to close the segments above
  const cfg = config({ 'delete.retention.ms': String(retention), 'segment.bytes': '1024' });

  const first = await cleanPartition(log, cfg, { force: true, now: t0 });
  assert.equal(first.cleaned, true);
  let records = await readRecords(log);
  const tombstones = records.filter((r) => r.key === 'a' || r.key === 'b');
  assert.deepEqual(
    tombstones.map((r) => [r.offset, r.value]),
    [
      [4, null],
      [5, null],
    ],
    'old values went, tombstones stayed',
  );
  assert.ok(hasDeleteHorizon(tombstones[0].batch.attributes));
  assert.equal(tombstones[0].batch.baseTimestamp, t0 + retention);
  assert.ok(records.some((r) => r.key === 'c' && r.value === 'c-old'));

  assert.equal((await cleanPartition(log, cfg, { now: t0 + retention - 1 })).cleaned, false, 'not due yet');
  await cleanPartition(log, cfg, { force: true, now: t0 + retention - 1 });
  records = await readRecords(log);
  assert.deepEqual(
    records.filter((r) => tombstoneOffsets.includes(r.offset)).map((r) => r.value),
    [null, null],
  );
  const due = await cleanPartition(log, cfg, { now: t0 + retention });
  assert.equal(due.reason, 'delete-horizon', 'a passed horizon is enough to clean');
  records = await readRecords(log);
  assert.equal(records.filter((r) => r.key === 'a' || r.key === 'b').length, 0, 'tombstones gone');
  assert.ok(records.some((r) => r.key === 'd' && r.value === 'd-old'));
  assert.equal(
    (await cleanPartition(log, cfg, { now: t0 + 10 * retention })).cleaned,
    false,
    'nothing waits',
  );
  await log.close();
});

test('producer state and transactions: last sequences kept, aborted data removed, markers kept while needed', async () => {
  const log = await freshLog(1024);
  const idem = { producerId: 7, producerEpoch: 0 };
  await log.append(batchOf([{ key: 'p', value: 'p0' }], { ...idem, baseSequence: 0 })); // 0
  await log.append(
    batchOf(
      [
        { key: 'p', value: 'p1' },
        { key: 'p', value: 'p2' },
      ],
      { ...idem, baseSequence: 1 },
    ),
  ); // 1-2
  await log.append(batchOf([{ key: 'x', value: 'plain' }])); // 3
  const txn = (producerId: number) => ({
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  await log.append(batchOf([{ key: 'x', value: 'aborted' }], txn(8))); // 4
  const marker = (type: 0 | 1, producerId: number) =>
    encodeEndTxnMarkerBatch({
      type,
      producerId,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: 1_000_000,
    });
  await log.append(marker(ControlRecordType.ABORT, 8)); // 5
  await log.append(batchOf([{ key: 'x', value: 'committed' }], txn(9))); // 6
  await log.append(marker(ControlRecordType.COMMIT, 9)); // 7
  await log.append(batchOf([{ key: 'y', value: 'y-plain' }])); // 8
  await log.append(batchOf([{ key: 'y', value: 'undecided' }], txn(10))); // 9: no marker yet
  await log.append(batchOf([{ key: 'p', value: 'p-later' }])); // 10: supersedes producer 7's records
  await writeUpdates(log, 40, 3);
  const cfg = config({ 'segment.bytes': '1024', 'delete.retention.ms': '1000' });
  const now = 70_000_000;

  await cleanPartition(log, cfg, { force: true, now });
  const batches = await readBatches(log);
  const at = (offset: number) => batches.find((b) => b.baseOffset === offset);
  assert.equal(at(0), undefined, 'an earlier batch of producer 7 goes');
  assert.equal(at(1)?.records.length, 0, 'its last batch stays, empty');
  assert.deepEqual([at(1)?.baseSequence, at(1)?.lastOffsetDelta, at(1)?.producerId], [1, 1, 7]);
  assert.equal(at(3), undefined, 'superseded by the committed value');
  assert.equal(at(4)?.records.length, 0, 'aborted data goes; the batch stays as producer 8 last one');
  assert.equal(at(5)?.records.length, 1, 'the abort marker stays');
  assert.deepEqual(
    at(6)?.records.map((r) => r.value?.toString()),
    ['committed'],
  );
  assert.equal(at(7)?.records.length, 1, 'the commit marker stays with its data');
  assert.deepEqual(
    [at(8)?.records[0].value?.toString(), at(9)?.records[0].value?.toString()],
    ['y-plain', 'undecided'],
    'an undecided transaction never shadows older values',
  );
  assert.equal(at(10)?.records[0].value?.toString(), 'p-later');

  // Producer 8 is still active (its emptied batch is its last), so the pass keeps meeting its transaction.
  await cleanPartition(log, cfg, { force: true, now: now + 10_000 });
  const later = await readBatches(log);
  assert.ok(later.some((b) => b.baseOffset === 5 && b.control));
  await log.close();
});

test('retention: compact alone keeps old segments, compact,delete expires them', async () => {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const compactOnly = await openLog(join(dir, 'a'), {
    segmentBytes: 1024,
    retentionMs: 1,
    cleanupDelete: false,
  });
  const both = await openLog(join(dir, 'b'), { segmentBytes: 1024, retentionMs: 1, cleanupDelete: true });
  for (const log of [compactOnly, both]) await writeUpdates(log, 40, 3);
  const far = 1_000_000_000_000;
  assert.equal(await compactOnly.applyRetention(far), 0);
  assert.ok((await both.applyRetention(far)) > 0);
  await compactOnly.close();
  await both.close();
});

test('reads running during compaction always see whole, consistent batches', async () => {
  const log = await freshLog();
  const written = await writeUpdates(log, 300, 6);
  let stop = false;
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      // Compaction never removes the latest record of a key, so a read must find each one.
      const mustSee = latestBelow(written, log.highWatermark);
      const seen = new Set<number>();
      for (const r of await readRecords(log)) {
        const w = written.get(r.offset);
        assert.deepEqual([r.key, r.value], [w?.key, w?.value], `offset ${r.offset}`);
        seen.add(r.offset);
      }
      for (const [key, offset] of mustSee) assert.ok(seen.has(offset), `latest ${key} at ${offset} was read`);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  for (let round = 0; round < 4; round++) {
    await writeUpdates(log, 60, 6, round + 11, written);
    await cleanPartition(log, config(), { force: true });
  }
  stop = true;
  await reader;
  assert.ok(reads > 0);
  await log.close();
});

test('segments compaction empties are stepped over by reads, survive a reopen, and expire under compact,delete', async () => {
  const log = await freshLog(1024);
  const written = await writeUpdates(log, 120, 3);
  await cleanPartition(log, config({ 'segment.bytes': '1024' }), { force: true });
  const closed = log.closedSegments();
  const empty = closed.filter((s) => s.size === 0).length;
  assert.ok(
    empty > 0 && empty < closed.length,
    `some closed segments are empty (${empty} of ${closed.length})`,
  );
  const lastOffset = Math.max(...written.keys());
  assert.equal((await readRecords(log)).at(-1)?.offset, lastOffset, 'a read from the start reaches the end');
  for (const s of closed.filter((c) => c.size === 0)) {
    const { records } = await log.read(s.baseOffset, 1024);
    assert.ok(records.length > 0, `a fetch inside empty segment ${s.baseOffset} gets the next data`);
  }
  await log.close();
  const reopened = await openLog(log.dir, { segmentBytes: 1024, indexIntervalBytes: 256 });
  assert.deepEqual(
    reopened.closedSegments().map((s) => [s.baseOffset, s.nextOffset, s.size]),
    closed.map((s) => [s.baseOffset, s.nextOffset, s.size]),
  );
  assert.equal((await readRecords(reopened)).at(-1)?.offset, lastOffset);
  reopened.updateConfig({ ...reopened.currentConfig, retentionMs: 1, cleanupDelete: true });
  assert.ok(
    (await reopened.applyRetention(Date.now() + 1_000_000_000)) >= closed.length,
    'empty segments expire too',
  );
  assert.ok(reopened.logStartOffset >= closed.at(-1)!.nextOffset);
  await reopened.close();
});

test('after DeleteRecords into a closed segment, compaction cleans from the new log start', async () => {
  const log = await freshLog(1024);
  const written = await writeUpdates(log, 120, 3);
  const [, second] = log.segmentBaseOffsets;
  const start = second + 2;
  await log.deleteRecordsBefore(start);
  const result = await cleanPartition(log, config({ 'segment.bytes': '1024' }), { force: true });
  assert.equal(result.cleaned, true);
  const records = await readRecords(log);
  assert.ok(records[0].offset >= start);
  for (const r of records) assert.equal(r.value, written.get(r.offset)?.value);
  assert.equal(log.logStartOffset, start);
  await log.close();
});
