import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaError } from '../error-codes.ts';
import {
  BATCHES_TO_RETAIN,
  checkIncomingBatch,
  emptyEntry,
  inSequence,
  lastSequence,
  type ProducerEntry,
  recordBatch,
} from './append-rules.ts';

const MAX = 2 ** 31 - 1;

/** An entry that appended batches of `size` records from sequence 0, at offsets from 100. */
function entryWith(epoch: number, batches: number, size = 10): ProducerEntry {
  const entry = emptyEntry(7, 0);
  for (let i = 0; i < batches; i++) {
    const firstSeq = i * size;
    recordBatch(
      entry,
      epoch,
      {
        firstSeq,
        lastSeq: firstSeq + size - 1,
        firstOffset: 100 + firstSeq,
        lastOffset: 100 + firstSeq + size - 1,
        timestamp: 1000 + i,
      },
      i,
    );
  }
  return entry;
}

const batch = (epoch: number, firstSeq: number, count = 10) => ({
  producerId: 7,
  epoch,
  firstSeq,
  lastSeq: lastSequence(firstSeq, count - 1),
});

test('a producer with no state on the partition may start at any sequence', () => {
  assert.equal(checkIncomingBatch(undefined, batch(0, 0)).kind, 'append');
  assert.equal(checkIncomingBatch(undefined, batch(3, 4242)).kind, 'append');
  assert.equal(checkIncomingBatch(emptyEntry(7, 0), batch(0, 17)).kind, 'append');
});

test('the next batch must continue the sequence; a gap or a rewind is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
  const entry = entryWith(0, 2); // sequences 0..19
  assert.equal(checkIncomingBatch(entry, batch(0, 20)).kind, 'append');
  for (const firstSeq of [21, 30, 19, 15, 5]) {
    const verdict = checkIncomingBatch(entry, batch(0, firstSeq));
    assert.equal(verdict.kind, 'reject', `first sequence ${firstSeq}`);
    assert.equal(verdict.kind === 'reject' && verdict.errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER);
  }
});

test('a retry of any of the last 5 batches is a duplicate answered with its original offsets', () => {
  const entry = entryWith(0, 7); // 7 batches appended; the last 5 (sequences 20..69) are remembered
  assert.equal(entry.batches.length, BATCHES_TO_RETAIN);
  for (let i = 2; i < 7; i++) {
    const verdict = checkIncomingBatch(entry, batch(0, i * 10));
    assert.equal(verdict.kind, 'duplicate', `batch ${i}`);
    assert.equal(verdict.kind === 'duplicate' && verdict.batch.firstOffset, 100 + i * 10);
    assert.equal(verdict.kind === 'duplicate' && verdict.batch.timestamp, 1000 + i);
  }
  // Older than the last 5: not recognised, and out of sequence.
  const old = checkIncomingBatch(entry, batch(0, 10));
  assert.equal(old.kind === 'reject' && old.errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER);
  // Same first sequence but a different last one is not the same batch.
  const other = checkIncomingBatch(entry, batch(0, 60, 5));
  assert.equal(other.kind === 'reject' && other.errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

test('an older epoch is INVALID_PRODUCER_EPOCH, even for what would be a duplicate', () => {
  const entry = entryWith(3, 2);
  for (const b of [batch(2, 20), batch(2, 0), batch(0, 0)]) {
    const verdict = checkIncomingBatch(entry, b);
    assert.equal(verdict.kind === 'reject' && verdict.errorCode, KafkaError.INVALID_PRODUCER_EPOCH);
  }
});

test('a new epoch must start at sequence 0 and forgets the old epoch batches', () => {
  const entry = entryWith(0, 3);
  const bad = checkIncomingBatch(entry, batch(1, 30));
  assert.equal(bad.kind === 'reject' && bad.errorCode, KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(checkIncomingBatch(entry, batch(1, 0)).kind, 'append');
  recordBatch(entry, 1, { firstSeq: 0, lastSeq: 9, firstOffset: 200, lastOffset: 209, timestamp: 5 }, 9);
  assert.equal(entry.epoch, 1);
  assert.equal(entry.batches.length, 1);
  // The old epoch's batch 0..9 is gone; the new epoch's 0..9 is the duplicate now.
  const dup = checkIncomingBatch(entry, batch(1, 0));
  assert.equal(dup.kind === 'duplicate' && dup.batch.firstOffset, 200);
});

test('sequences wrap from Int32 max to 0', () => {
  assert.equal(lastSequence(MAX - 1, 3), 1);
  assert.equal(lastSequence(MAX, 0), MAX);
  assert.equal(lastSequence(5, 4), 9);
  assert.ok(inSequence(MAX, 0));
  assert.ok(!inSequence(MAX, 1));
  const entry = emptyEntry(7, 0);
  recordBatch(entry, 0, { firstSeq: MAX - 9, lastSeq: MAX, firstOffset: 0, lastOffset: 9, timestamp: 0 }, 0);
  assert.equal(checkIncomingBatch(entry, batch(0, 0)).kind, 'append');
  assert.equal(checkIncomingBatch(entry, batch(0, 1)).kind, 'reject'); // 1 instead of 0
  // A batch that itself wraps is remembered with its wrapped last sequence and recognised on retry.
  const wrapping = batch(0, MAX - 4, 10); // MAX-4 .. 4
  assert.equal(wrapping.lastSeq, 4);
  const e2 = emptyEntry(8, 0);
  recordBatch(
    e2,
    0,
    { firstSeq: MAX - 14, lastSeq: MAX - 5, firstOffset: 0, lastOffset: 9, timestamp: 0 },
    0,
  );
  assert.equal(checkIncomingBatch(e2, wrapping).kind, 'append');
  recordBatch(e2, 0, { ...wrapping, firstOffset: 10, lastOffset: 19, timestamp: 0 }, 0);
  assert.equal(checkIncomingBatch(e2, wrapping).kind, 'duplicate');
  assert.equal(checkIncomingBatch(e2, batch(0, 5)).kind, 'append');
});
