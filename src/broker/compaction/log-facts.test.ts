import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlRecordType } from '../../protocol/record-batch/control.ts';
import { type BatchFacts, LogFactsBuilder } from './log-facts.ts';
import { CleanedTxnTracker } from './txn-tracker.ts';

function data(pid: number, base: number, last = base, transactional = true): BatchFacts {
  return {
    producerId: pid,
    producerEpoch: 0,
    baseOffset: base,
    lastOffset: last,
    transactional,
    control: false,
    controlType: null,
  };
}
function marker(pid: number, offset: number, type: number, epoch = 0): BatchFacts {
  return {
    producerId: pid,
    producerEpoch: epoch,
    baseOffset: offset,
    lastOffset: offset,
    transactional: true,
    control: true,
    controlType: type,
  };
}

test('transaction outcomes are read from the markers that end them', () => {
  const facts = new LogFactsBuilder();
  for (const b of [
    data(1, 0, 1),
    data(2, 2),
    data(1, 3),
    marker(1, 4, ControlRecordType.ABORT),
    data(1, 5),
    marker(2, 6, ControlRecordType.COMMIT),
    marker(1, 7, ControlRecordType.COMMIT),
    data(2, 8),
    data(3, 9, 9, false),
  ])
    facts.add(b);
  assert.equal(facts.fateOf(1, 0), 'aborted');
  assert.equal(facts.fateOf(1, 3), 'aborted');
  assert.equal(facts.fateOf(2, 2), 'committed');
  assert.equal(facts.fateOf(1, 5), 'committed');
  assert.equal(facts.fateOf(2, 8), 'open', 'no marker yet');
  assert.deepEqual(facts.activeProducers().get(1), { lastDataOffset: 5, producerEpoch: 0 });
  assert.deepEqual(facts.activeProducers().get(3), { lastDataOffset: 9, producerEpoch: 0 });
});

test('a producer that only wrote markers has no last data offset; its epoch follows the markers', () => {
  const facts = new LogFactsBuilder();
  facts.add(marker(5, 0, ControlRecordType.ABORT, 0));
  facts.add(marker(5, 1, ControlRecordType.ABORT, 3));
  assert.deepEqual(facts.activeProducers().get(5), { lastDataOffset: null, producerEpoch: 3 });
  assert.equal(facts.activeProducers().has(-1), false);
});

test('the tracker lets a marker go only when the pass met none of its data', () => {
  const facts = new LogFactsBuilder();
  const batches = [
    data(1, 0),
    marker(1, 1, ControlRecordType.ABORT),
    data(1, 2),
    marker(1, 3, ControlRecordType.COMMIT),
  ];
  for (const b of batches) facts.add(b);
  const tracker = new CleanedTxnTracker(facts);
  assert.equal(tracker.onDataBatch(batches[0]), true, 'aborted data may go');
  assert.equal(tracker.onControlBatch(batches[1], ControlRecordType.ABORT), false, 'its data was just seen');
  assert.equal(tracker.onDataBatch(batches[2]), false);
  assert.equal(tracker.onControlBatch(batches[3], ControlRecordType.COMMIT), false);

  const next = new CleanedTxnTracker(facts); // the next pass, after the data is gone
  assert.equal(next.onControlBatch(batches[1], ControlRecordType.ABORT), true);
  assert.equal(next.onControlBatch(batches[3], ControlRecordType.COMMIT), true);
  assert.equal(next.onControlBatch(batches[3], null), true, 'an emptied control batch may go');
  assert.equal(next.onControlBatch(batches[3], 4), false, 'other control records are kept');
  assert.equal(next.onDataBatch(data(9, 10, 10, false)), false, 'plain data is never discarded as a batch');
});
