import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { encodeRecordBatch } from './encode.ts';
import {
  BASE_SEQUENCE_OFFSET,
  batchAttributes,
  batchBaseOffset,
  batchLastOffset,
  buildAttributes,
  CRC_OFFSET,
  compressionOf,
  hasDeleteHorizon,
  isControl,
  isTransactional,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  timestampTypeOf,
  verifyBatchCrc,
} from './header.ts';

const records = [1, 2, 3].map((i) => ({
  key: Buffer.from(`k${i}`),
  value: Buffer.from(`v${i}`),
  timestamp: 1000 + i,
}));

test('header offsets add up to the 61-byte layout', () => {
  assert.equal(PARTITION_LEADER_EPOCH_OFFSET, 12);
  assert.equal(CRC_OFFSET, 17);
  assert.equal(MAX_TIMESTAMP_OFFSET, 35);
  assert.equal(BASE_SEQUENCE_OFFSET, 53);
  assert.equal(RECORDS_COUNT_OFFSET + 4, RECORD_BATCH_OVERHEAD);
});

test('readBatchHeader returns every field', () => {
  const batch = encodeRecordBatch(records, {
    baseOffset: 5_000_000_000,
    partitionLeaderEpoch: 9,
    producerId: 77,
    producerEpoch: 2,
    baseSequence: 40,
    transactional: true,
    compression: 4,
  });
  const h = readBatchHeader(batch, 0);
  assert.equal(h.baseOffset, 5_000_000_000);
  assert.equal(h.batchLength, batch.length - LOG_OVERHEAD);
  assert.equal(h.partitionLeaderEpoch, 9);
  assert.equal(h.magic, 2);
  assert.equal(h.crc, batch.readUInt32BE(CRC_OFFSET));
  assert.equal(compressionOf(h.attributes), 4);
  assert.ok(isTransactional(h.attributes));
  assert.ok(!isControl(h.attributes));
  assert.equal(timestampTypeOf(h.attributes), 0);
  assert.deepEqual([h.lastOffsetDelta, h.baseTimestamp, h.maxTimestamp], [2, 1001, 1003]);
  assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence, h.recordsCount], [77, 2, 40, 3]);
  assert.equal(batchBaseOffset(batch, 0), 5_000_000_000);
  assert.equal(batchLastOffset(batch, 0), 5_000_000_002);
  assert.equal(batchAttributes(batch, 0), h.attributes);
});

test('attribute helpers read each bit on its own', () => {
  const all = buildAttributes({ compression: 3, timestampType: 1, transactional: true, control: true });
  assert.equal(all, 0x3b);
  assert.deepEqual(
    [compressionOf(all), timestampTypeOf(all), isTransactional(all), isControl(all)],
    [3, 1, true, true],
  );
  assert.deepEqual(
    [compressionOf(0), timestampTypeOf(0), isTransactional(0), isControl(0)],
    [0, 0, false, false],
  );
  assert.ok(hasDeleteHorizon(0x40));
  assert.ok(!hasDeleteHorizon(0x3f));
});

test('baseOffset and partitionLeaderEpoch are rewritten without touching the CRC', () => {
  const batch = encodeRecordBatch(records);
  const crc = batch.readUInt32BE(CRC_OFFSET);
  setBaseOffset(batch, 0, 123_456_789_012);
  setPartitionLeaderEpoch(batch, 0, 4);
  assert.equal(batch.readBigInt64BE(0), 123_456_789_012n);
  assert.equal(batch.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET), 4);
  assert.equal(batch.readUInt32BE(CRC_OFFSET), crc);
  assert.ok(verifyBatchCrc(batch, 0));
});

test('verifyBatchCrc notices a flipped byte anywhere the CRC covers, and bad lengths', () => {
  const batch = encodeRecordBatch(records);
  for (const at of [21, 30, 60, batch.length - 1]) {
    const copy = Buffer.from(batch);
    copy[at] ^= 1;
    assert.ok(!verifyBatchCrc(copy, 0), `byte ${at}`);
  }
  assert.ok(!verifyBatchCrc(batch.subarray(0, batch.length - 1), 0));
  assert.ok(!verifyBatchCrc(batch, 1));
});

test('setLogAppendTime stamps the type bit and maxTimestamp and keeps the CRC valid', () => {
  const batch = encodeRecordBatch(records);
  setLogAppendTime(batch, 0, 9_999);
  const h = readBatchHeader(batch, 0);
  assert.equal(timestampTypeOf(h.attributes), 1);
  assert.equal(h.maxTimestamp, 9_999);
  assert.ok(verifyBatchCrc(batch, 0));
});

test('readBatchHeader refuses a header cut short with BRK_CORRUPT_BATCH', () => {
  const batch = encodeRecordBatch(records);
  assert.throws(
    () => readBatchHeader(batch.subarray(0, 60), 0),
    (e) => isStreamError(e, 'BRK_CORRUPT_BATCH'),
  );
});
