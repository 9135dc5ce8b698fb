import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import {
  ControlRecordType,
  decodeControlKey,
  decodeControlRecord,
  decodeEndTxnMarkerValue,
  encodeControlKey,
  encodeEndTxnMarkerBatch,
  encodeEndTxnMarkerValue,
} from './control.ts';
import { decodeRecordBatch } from './decode.ts';

test('control key and marker value have Kafka byte layouts', () => {
  assert.equal(encodeControlKey(ControlRecordType.COMMIT).toString('hex'), '00000001');
  assert.equal(encodeControlKey(ControlRecordType.ABORT).toString('hex'), '00000000');
  assert.equal(encodeEndTxnMarkerValue(0x01020304).toString('hex'), '000001020304');
  assert.deepEqual(decodeControlKey(Buffer.from('00000001', 'hex')), { version: 0, type: 1 });
  assert.deepEqual(decodeEndTxnMarkerValue(Buffer.from('0000fffffffe', 'hex')), {
    version: 0,
    coordinatorEpoch: -2,
  });
});

test('an end-transaction marker batch decodes as a transactional control batch', () => {
  for (const type of [ControlRecordType.COMMIT, ControlRecordType.ABORT]) {
    const batch = encodeEndTxnMarkerBatch({
      type,
      producerId: 4000,
      producerEpoch: 7,
      coordinatorEpoch: 3,
      timestamp: 1_700_000_000_123,
      baseOffset: 99,
    });
    const d = decodeRecordBatch(batch);
    assert.equal(d.control, true);
    assert.equal(d.transactional, true);
    assert.deepEqual([d.producerId, d.producerEpoch, d.baseSequence, d.baseOffset], [4000, 7, -1, 99]);
    assert.equal(d.records.length, 1);
    assert.deepEqual(decodeControlRecord(d.records[0]), {
      version: 0,
      type,
      marker: { version: 0, coordinatorEpoch: 3 },
    });
  }
});

test('short or null control keys and values throw BRK_CORRUPT_BATCH', () => {
  const corrupt = (e: unknown) => isStreamError(e, 'BRK_CORRUPT_BATCH');
  assert.throws(() => decodeControlKey(null), corrupt);
  assert.throws(() => decodeControlKey(Buffer.from('0000', 'hex')), corrupt);
  assert.throws(() => decodeEndTxnMarkerValue(Buffer.from('000000', 'hex')), corrupt);
  // KRaft-internal types carry no end-transaction marker.
  const record = { key: Buffer.from('00000003', 'hex'), value: Buffer.from('ff', 'hex') };
  assert.deepEqual(
    decodeControlRecord({
      ...record,
      offset: 0,
      timestamp: 0,
      offsetDelta: 0,
      timestampDelta: 0,
      attributes: 0,
      headers: [],
    }),
    {
      version: 0,
      type: 3,
      marker: null,
    },
  );
});
