import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeRecordBatch } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import { tempDir } from '../storage/test-support/batches.ts';
import { openLog } from '../storage/test-support/log-helpers.ts';
import { snapshotFileName, writeSnapshot } from './producer-snapshot.ts';
import { type ProducerSnapshot, ProducerStateManager } from './producer-state-manager.ts';
import { batchFields, rebuildProducerState } from './rebuild.ts';

const TOPIC_ID = '3f1b0c55-0000-4000-8000-000000000001';

/** An idempotent batch of `count` records from sequence `seq`. */
function idempotentBatch(producerId: number, epoch: number, seq: number, count = 3, pad = 0): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    value: Buffer.from(`p${producerId}-e${epoch}-s${seq + i}`.padEnd(pad, '.')),
    timestamp: 1_700_000_000_000 + seq + i,
  }));
  return encodeRecordBatch(records, { producerId, producerEpoch: epoch, baseSequence: seq });
}

async function append(state: ProducerStateManager, log: Awaited<ReturnType<typeof openLog>>, batch: Buffer) {
  const guard = state.guard(batchFields(batch, 0), Date.now());
  const result = await log.appendIf(batch, guard);
  return { result, declined: guard.declined };
}

test('check-then-append is atomic: the same batch sent twice at once is appended once', async () => {
  const { dir, cleanup } = await tempDir();
  const log = await openLog(dir, { durability: 'fsync' });
  try {
    const state = new ProducerStateManager();
    await append(state, log, idempotentBatch(1, 0, 0));
    const [a, b] = await Promise.all([
      append(state, log, idempotentBatch(1, 0, 3)),
      append(state, log, idempotentBatch(1, 0, 3)),
    ]);
    assert.equal(log.logEndOffset, 6);
    assert.deepEqual(a.result, { baseOffset: 3, lastOffset: 5, logAppendTime: a.result?.logAppendTime });
    assert.equal(b.result, null);
    assert.equal(b.declined?.kind === 'duplicate' && b.declined.batch.firstOffset, 3);
    const gap = await append(state, log, idempotentBatch(1, 0, 9));
    assert.equal(
      gap.declined?.kind === 'reject' && gap.declined.errorCode,
      KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    assert.equal(log.logEndOffset, 6);
    assert.equal(state.mapEndOffset, 6);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('a segment roll snapshots the state before the first batch of the new segment', async () => {
  const { dir, cleanup } = await tempDir();
  const log = await openLog(dir, { segmentBytes: 600 });
  try {
    const state = new ProducerStateManager();
    const snapshots: ProducerSnapshot[] = [];
    state.onRoll = (s) => snapshots.push(s);
    for (let seq = 0; seq < 30; seq += 3) await append(state, log, idempotentBatch(5, 0, seq, 3, 40));
    const bases = log.segmentBaseOffsets;
    assert.ok(bases.length >= 3, `segments ${bases}`);
    assert.deepEqual(
      snapshots.map((s) => s.offset),
      bases.slice(1),
    );
    for (const s of snapshots) {
      const [entry] = s.producers;
      assert.equal(
        entry.batches.at(-1)?.lastOffset,
        s.offset - 1,
        'the snapshot ends right before its offset',
      );
    }
  } finally {
    await log.close();
    await cleanup();
  }
});

test('rebuild from the newest snapshot plus the log after it gives the state appends built', async () => {
  const { dir, cleanup } = await tempDir();
  let log = await openLog(dir, { segmentBytes: 700 });
  const live = new ProducerStateManager();
  live.onRoll = (s) => void writeSnapshot(dir, TOPIC_ID, s);
  for (let seq = 0; seq < 60; seq += 3) {
    await append(live, log, idempotentBatch(1, 0, seq, 3, 30));
    if (seq < 30) await append(live, log, idempotentBatch(2, 4, seq, 3, 30));
  }
  await append(live, log, encodeRecordBatch([{ value: Buffer.from('plain') }])); // no producer id
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the snapshot writes finish
  await log.close();
  const snapshotFiles = (await readdir(dir)).filter((n) => n.endsWith('.snapshot'));
  assert.equal(snapshotFiles.length, 2, 'two snapshots are kept');

  log = await openLog(dir, { segmentBytes: 700 });
  try {
    const rebuilt = new ProducerStateManager();
    const report = await rebuildProducerState(rebuilt, log, TOPIC_ID, Date.now());
    assert.ok(report.snapshotOffset !== null && report.snapshotOffset > 0);
    assert.ok(report.batchesReplayed > 0);
    const comparable = (s: ProducerStateManager) =>
      [...s.entries()].map((e) => ({ id: e.producerId, epoch: e.epoch, batches: e.batches }));
    assert.deepEqual(comparable(rebuilt), comparable(live));
    assert.equal(rebuilt.mapEndOffset, log.logEndOffset);
    // The same without any snapshot: a replay of the whole log.
    for (const name of snapshotFiles) await rm(join(dir, name));
    const full = new ProducerStateManager();
    const fullReport = await rebuildProducerState(full, log, TOPIC_ID, Date.now());
    assert.equal(fullReport.snapshotOffset, null);
    assert.deepEqual(comparable(full), comparable(live));
    // A retry of the last batch is still a duplicate after the rebuild.
    const retry = await append(full, log, idempotentBatch(1, 0, 57, 3, 30));
    assert.equal(retry.declined?.kind, 'duplicate');
  } finally {
    await log.close();
    await cleanup();
  }
});

test('snapshots beyond the log end, damaged or of another topic are ignored and deleted', async () => {
  const { dir, cleanup } = await tempDir();
  const log = await openLog(dir);
  try {
    const live = new ProducerStateManager();
    for (let seq = 0; seq < 9; seq += 3) await append(live, log, idempotentBatch(9, 1, seq));
    await writeSnapshot(dir, TOPIC_ID, { offset: 100, producers: [] }); // beyond the log end
    await writeSnapshot(dir, 'another-topic', { offset: 6, producers: [] });
    await writeFile(join(dir, snapshotFileName(3)), 'deadbeef {"version":1}\n');
    const rebuilt = new ProducerStateManager();
    const report = await rebuildProducerState(rebuilt, log, TOPIC_ID, Date.now());
    assert.equal(report.snapshotOffset, null);
    assert.equal(report.batchesReplayed, 3);
    assert.equal(rebuilt.lastEntry(9)?.batches.length, 3);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.endsWith('.snapshot')),
      [],
    );
  } finally {
    await log.close();
    await cleanup();
  }
});

test('producers idle for the expiration time are forgotten; a forgotten producer may continue anywhere', () => {
  const state = new ProducerStateManager();
  const fields = (id: number, seq: number) => batchFields(idempotentBatch(id, 0, seq), 0);
  state.record(fields(1, 0), 0, 2, 1_000);
  state.record(fields(2, 0), 3, 5, 5_000);
  assert.equal(state.expire(10_999, 10_000), 0);
  assert.equal(state.expire(11_000, 10_000), 1);
  assert.equal(state.lastEntry(1), undefined);
  assert.ok(state.lastEntry(2));
  assert.equal(state.check(fields(1, 300)).kind, 'append');
  assert.equal(state.check(fields(2, 300)).kind, 'reject');
});
