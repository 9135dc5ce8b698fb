import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlRecordType, encodeEndTxnMarkerBatch } from '../../protocol/record-batch/control.ts';
import { decodeRecordBatch } from '../../protocol/record-batch/decode.ts';
import { hasDeleteHorizon, verifyBatchCrc } from '../../protocol/record-batch/header.ts';
import type { RecordBatch } from '../../protocol/record-batch/records.ts';
import { type FilterContext, filterBatch } from './batch-filter.ts';
import { KeyMap } from './key-map.ts';
import { AbortedListFates, type TxnFates } from './log-facts.ts';
import { batchOf } from './test-support/records.ts';
import { CleanedTxnTracker } from './txn-tracker.ts';

const NOW = 5_000_000;
const RETENTION = 1_000;

function context(keys: KeyMap, over: Partial<FilterContext> & { fates?: TxnFates } = {}): FilterContext {
  return {
    now: NOW,
    deleteRetentionMs: RETENTION,
    keys,
    txns: new CleanedTxnTracker(over.fates ?? new AbortedListFates([])),
    isLastOfProducer: () => false,
    roundEnd: Number.MAX_SAFE_INTEGER,
    controlType: (b: RecordBatch) => (b.records.length === 0 ? null : b.records[0].key!.readInt16BE(2)),
    ...over,
  };
}

function keysOf(entries: Record<string, number>): KeyMap {
  const keys = new KeyMap();
  for (const [k, offset] of Object.entries(entries)) keys.put(Buffer.from(k), offset);
  return keys;
}

function run(raw: Buffer, ctx: FilterContext) {
  const out = filterBatch(raw, decodeRecordBatch(raw), ctx);
  return { ...out, batch: out.bytes === null ? null : decodeRecordBatch(out.bytes) };
}

const values = (b: RecordBatch | null) =>
  b?.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null]);

for (const codec of [0, 1, 2, 3, 4]) {
  test(`superseded records go, offsets and producer fields stay (codec ${codec})`, () => {
    const raw = batchOf(
      [
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
        { key: 'a', value: 'a2' },
        { key: null, value: 'keyless' },
      ],
      { baseOffset: 100, compression: codec, producerId: 9, producerEpoch: 2, baseSequence: 40 },
    );
    const out = run(raw, context(keysOf({ a: 102, b: 500 })));
    assert.deepEqual(values(out.batch), [[102, 'a', 'a2']]);
    assert.equal(out.removed, 3);
    const b = out.batch!;
    assert.equal(b.baseOffset, 100);
    assert.equal(b.lastOffsetDelta, 3, 'the last offset (and so the last sequence) is kept');
    assert.deepEqual([b.producerId, b.producerEpoch, b.baseSequence, b.compression], [9, 2, 40, codec]);
    assert.ok(verifyBatchCrc(out.bytes!, 0));
  });
}

test('a batch with nothing removed is written back byte for byte', () => {
  const raw = batchOf([{ key: 'a', value: 'x' }], { baseOffset: 7, compression: 1 });
  const out = filterBatch(raw, decodeRecordBatch(raw), context(keysOf({ a: 7 })));
  assert.equal(out.bytes, raw);
  assert.equal(out.pendingHorizon, null);
});

test('an emptied batch is dropped, unless it holds its producer last sequence or ends the clean', () => {
  const raw = batchOf(
    [
      { key: 'a', value: '1' },
      { key: 'a', value: '2' },
    ],
    { baseOffset: 10, producerId: 3, producerEpoch: 1, baseSequence: 8 },
  );
  const keys = keysOf({ a: 99 });
  assert.equal(run(raw, context(keys)).bytes, null);
  const kept = run(raw, context(keys, { isLastOfProducer: (b) => b.producerId === 3 }));
  assert.equal(kept.batch!.records.length, 0);
  assert.deepEqual(
    [
      kept.batch!.baseOffset,
      kept.batch!.lastOffsetDelta,
      kept.batch!.baseSequence,
      kept.batch!.producerEpoch,
    ],
    [10, 1, 8, 1],
  );
  assert.equal(kept.batch!.recordsCount, 0);
  const ending = run(raw, context(keys, { roundEnd: 12 }));
  assert.equal(ending.batch!.records.length, 0, 'the end of the clean is kept as an empty batch');
});

test('tombstones get a delete horizon on the first clean and go after it', () => {
  const raw = batchOf(
    [
      { key: 'a', value: null, timestamp: 4_000_000 },
      { key: 'b', value: 'live', timestamp: 4_000_001 },
    ],
    { baseOffset: 0 },
  );
  const keys = keysOf({ a: 0, b: 1 });
  const first = run(raw, context(keys));
  assert.ok(hasDeleteHorizon(first.batch!.attributes));
  assert.equal(first.batch!.baseTimestamp, NOW + RETENTION);
  assert.equal(first.pendingHorizon, NOW + RETENTION);
  assert.deepEqual(
    first.batch!.records.map((r) => r.timestamp),
    [4_000_000, 4_000_001],
    'record timestamps survive the new base timestamp',
  );
  assert.equal(first.batch!.maxTimestamp, 4_000_001);

  const before = run(first.bytes!, context(keys, { now: NOW + RETENTION - 1 }));
  assert.deepEqual(values(before.batch), [
    [0, 'a', null],
    [1, 'b', 'live'],
  ]);
  assert.equal(before.bytes, first.bytes, 'an unchanged batch with a horizon is not rewritten');
  const after = run(first.bytes!, context(keys, { now: NOW + RETENTION }));
  assert.deepEqual(values(after.batch), [[1, 'b', 'live']]);
  assert.equal(after.pendingHorizon, null, 'nothing left waits for the horizon');
  assert.equal(after.batch!.baseTimestamp, NOW + RETENTION, 'the horizon stays on the batch');
});

test('a superseded tombstone goes at once', () => {
  const raw = batchOf([{ key: 'a', value: null }], { baseOffset: 0 });
  assert.equal(run(raw, context(keysOf({ a: 5 }))).bytes, null);
});

test('LogAppendTime batches keep the broker stamp and the producer timestamps', () => {
  const raw = batchOf(
    [
      { key: 'a', value: '1', timestamp: 100 },
      { key: 'b', value: '2', timestamp: 200 },
    ],
    { baseOffset: 0, timestampType: 1, maxTimestamp: 9_999 },
  );
  const out = run(raw, context(keysOf({ a: 9, b: 1 })));
  assert.equal(out.batch!.timestampType, 1);
  assert.equal(out.batch!.maxTimestamp, 9_999);
  assert.equal(out.batch!.baseTimestamp + out.batch!.records[0].timestampDelta, 200);
});

test('aborted data goes; its marker stays until a pass finds no data of the transaction', () => {
  const data = batchOf([{ key: 'a', value: 'aborted' }], {
    baseOffset: 0,
    producerId: 4,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  const marker = encodeEndTxnMarkerBatch({
    type: ControlRecordType.ABORT,
    producerId: 4,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: 1,
    baseOffset: 1,
  });
  const fates = new AbortedListFates([{ producerId: 4, firstOffset: 0, lastOffset: 1 }]);
  const keys = keysOf({ a: 0 });
  const pass1 = context(keys, { fates });
  assert.equal(run(data, pass1).bytes, null, 'aborted data is dropped');
  const kept = run(marker, pass1);
  assert.equal(kept.bytes, marker, 'the marker stays while the pass saw its data');
  assert.equal(kept.pendingHorizon, null);

  const pass2 = run(marker, context(keys, { fates }));
  assert.ok(hasDeleteHorizon(pass2.batch!.attributes), 'no data left: the marker waits for its horizon');
  assert.equal(pass2.pendingHorizon, NOW + RETENTION);
  assert.equal(pass2.batch!.records.length, 1);
  const pass3 = run(pass2.bytes!, context(keys, { fates, now: NOW + RETENTION }));
  assert.equal(pass3.bytes, null, 'after its horizon the marker goes');
  const lastMarker = run(
    pass2.bytes!,
    context(keys, { fates, now: NOW + RETENTION, isLastOfProducer: () => true }),
  );
  assert.equal(lastMarker.batch!.records.length, 0, 'a producer last marker stays as an empty batch');
  assert.ok(lastMarker.batch!.control);
});

test('a COMMIT marker stays while its transaction has data in the pass', () => {
  const data = batchOf([{ key: 'a', value: 'committed' }], {
    baseOffset: 0,
    producerId: 4,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  const marker = encodeEndTxnMarkerBatch({
    type: ControlRecordType.COMMIT,
    producerId: 4,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: 1,
    baseOffset: 1,
  });
  const ctx = context(keysOf({ a: 0 }));
  assert.deepEqual(values(run(data, ctx).batch), [[0, 'a', 'committed']]);
  assert.equal(run(marker, ctx).bytes, marker);
  const superseded = context(keysOf({ a: 50 }));
  assert.equal(run(data, superseded).bytes, null);
  assert.equal(run(marker, superseded).bytes, marker, 'the pass still traversed a batch of the transaction');
});
