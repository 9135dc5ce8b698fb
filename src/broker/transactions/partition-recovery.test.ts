// A partition's transaction state (last stable offset, aborted index, the non-transactional-write rule)
// as appends build it, and as a restart rebuilds it from snapshots, the index file and the log.
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ControlRecordType, encodeEndTxnMarkerBatch } from '../../protocol/record-batch/control.ts';
import { encodeRecordBatch } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import { writeSnapshot } from '../producers/producer-snapshot.ts';
import { ProducerStateManager } from '../producers/producer-state-manager.ts';
import { batchFields, rebuildProducerState } from '../producers/rebuild.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import { tempDir } from '../storage/test-support/batches.ts';
import { openLog } from '../storage/test-support/log-helpers.ts';
import { appendAbortedTxns, syncAbortedTxns } from './aborted-index-file.ts';
import { MarkerGuard } from './markers.ts';

const TOPIC_ID = '3f1b0c55-0000-4000-8000-0000000000aa';

function txnBatch(producerId: number, seq: number, count = 2, transactional = true): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    value: Buffer.from(`p${producerId}-${seq + i}`.padEnd(40)),
  }));
  return encodeRecordBatch(records, { producerId, producerEpoch: 0, baseSequence: seq, transactional });
}

function marker(producerId: number, commit: boolean): Buffer {
  const type = commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
  return encodeEndTxnMarkerBatch({ type, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1 });
}

/** Appends through the state's guards, as Produce and the coordinator's markers do. */
async function append(state: ProducerStateManager, log: PartitionLog, batch: Buffer) {
  const fields = batchFields(batch, 0);
  if (fields.control) {
    const result = await log.appendIf(batch, new MarkerGuard(state, fields, Date.now()));
    return { result, declined: null };
  }
  const guard = state.guard(fields, Date.now());
  const result = await log.appendIf(batch, guard);
  return { result, declined: guard.declined };
}

/** A state whose aborted transactions and roll snapshots go to disk, as ProducerStates wires it. */
function persisted(dir: string): { state: ProducerStateManager; settled: () => Promise<void> } {
  const state = new ProducerStateManager();
  let chain: Promise<unknown> = Promise.resolve();
  state.txns.onAborted = (txn) => {
    chain = chain.then(() => appendAbortedTxns(dir, [txn]));
  };
  state.onRoll = (snapshot) => {
    chain = chain.then(async () => {
      await syncAbortedTxns(dir);
      await writeSnapshot(dir, TOPIC_ID, snapshot);
    });
  };
  return { state, settled: () => chain.then(() => undefined) };
}

test('a plain write from a producer whose transaction is open in the partition is INVALID_TXN_STATE', async () => {
  const { dir, cleanup } = await tempDir();
  const log = await openLog(dir);
  try {
    const state = new ProducerStateManager();
    await append(state, log, txnBatch(1, 0));
    const plain = await append(state, log, txnBatch(1, 2, 2, false));
    assert.equal(plain.declined?.kind === 'reject' && plain.declined.errorCode, KafkaError.INVALID_TXN_STATE);
    await append(state, log, marker(1, true));
    assert.equal((await append(state, log, txnBatch(1, 2, 2, false))).declined, null);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('after a crash the last stable offset and the aborted index are rebuilt from snapshot, index file and log', async () => {
  const { dir, cleanup } = await tempDir();
  let log = await openLog(dir, { segmentBytes: 400 });
  const { state: live, settled } = persisted(dir);
  // Producers 1 and 2 interleave; 1 aborts, 2 commits, 3 aborts in a later segment, 4 stays open.
  let seq1 = 0;
  for (let i = 0; i < 4; i++) {
    await append(live, log, txnBatch(1, seq1));
    await append(live, log, txnBatch(2, seq1));
    seq1 += 2;
  }
  await append(live, log, marker(1, false));
  await append(live, log, marker(2, true));
  await append(live, log, txnBatch(3, 0));
  await append(live, log, marker(3, false));
  const open = await append(live, log, txnBatch(4, 0));
  await append(live, log, txnBatch(5, 0, 2, false)); // plain data after the open transaction
  await settled();
  const liveAborted = live.txns.abortedList();
  assert.deepEqual(
    liveAborted.map((t) => t.producerId),
    [1, 3],
  );
  const lso = live.txns.lastStableOffset(log.highWatermark);
  assert.equal(lso, open.result?.baseOffset);
  assert.ok(lso < log.highWatermark);
  assert.ok(
    (await readdir(dir)).some((n) => n.endsWith('.snapshot')),
    'segments rolled and snapshotted',
  );
  // kill -9: no close, no final snapshot. Reopen the files as a new broker would.
  log = await openLog(dir, { segmentBytes: 400 });
  try {
    const rebuilt = new ProducerStateManager();
    const report = await rebuildProducerState(rebuilt, log, TOPIC_ID, Date.now());
    assert.ok(report.snapshotOffset !== null, 'started from a snapshot');
    assert.deepEqual(rebuilt.txns.abortedList(), liveAborted);
    assert.equal(rebuilt.txns.lastStableOffset(log.highWatermark), lso);
    assert.deepEqual(rebuilt.txns.abortedTransactions(0, log.logEndOffset), liveAborted);

    // Without snapshots and index the whole log is replayed, with the same result.
    for (const name of await readdir(dir)) {
      if (name.endsWith('.snapshot') || name === 'aborted.txnindex') await rm(join(dir, name));
    }
    const full = new ProducerStateManager();
    assert.equal((await rebuildProducerState(full, log, TOPIC_ID, Date.now())).snapshotOffset, null);
    assert.deepEqual(full.txns.abortedList(), liveAborted);
    assert.equal(full.txns.lastStableOffset(log.highWatermark), lso);

    // The open transaction still completes after the restart.
    await append(full, log, marker(4, true));
    assert.equal(full.txns.lastStableOffset(log.highWatermark), log.highWatermark);
  } finally {
    await log.close();
    await cleanup();
  }
});
