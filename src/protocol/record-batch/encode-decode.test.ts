import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { decodeRecordBatch, decodeRecordBatches } from './decode.ts';
import { encodeRecordBatch } from './encode.ts';
import { CRC_OFFSET, RECORDS_COUNT_OFFSET, readBatchHeader, rewriteBatchCrc } from './header.ts';
import type { RecordInput } from './records.ts';

function sampleRecords(n: number, seed: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => {
    const k = (seed + i) % 5;
    return {
      key: k === 0 ? null : Buffer.from(`key-${i}`),
      value: k === 1 ? null : k === 2 ? Buffer.alloc(0) : randomBytes(1 + ((i * 37) % 300)),
      headers:
        k === 3
          ? [
              { key: 'trace-id', value: Buffer.from(`t${i}`) },
              { key: 'ünïcode-ключ', value: null },
            ]
          : [],
      // Not monotonic: deltas may be negative.
      timestamp: 1_700_000_000_000 + ((i * 7919) % 1000) - 500,
    };
  });
}

function asComparable(r: {
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: readonly unknown[];
}) {
  const hex = (b: Uint8Array | null | undefined) => (b == null ? null : Buffer.from(b).toString('hex'));
  return {
    key: hex(r.key),
    value: hex(r.value),
    headers: ((r.headers ?? []) as Array<{ key: string; value: Uint8Array | null }>).map((h) => [
      h.key,
      hex(h.value),
    ]),
  };
}

test('records round-trip through every codec and both snappy containers', () => {
  const input = sampleRecords(200, 3);
  const variants = [
    { compression: 0 },
    { compression: 1 },
    { compression: 2 },
    { compression: 2, snappyFormat: 'xerial' as const },
    { compression: 3 },
    { compression: 4 },
  ];
  for (const v of variants) {
    const batch = encodeRecordBatch(input, {
      ...v,
      baseOffset: 1000,
      producerId: 5,
      producerEpoch: 1,
      baseSequence: 0,
    });
    const decoded = decodeRecordBatch(batch);
    assert.equal(decoded.compression, v.compression);
    assert.equal(decoded.records.length, input.length);
    assert.equal(decoded.baseTimestamp, input[0].timestamp);
    assert.equal(decoded.maxTimestamp, Math.max(...input.map((r) => r.timestamp!)));
    assert.equal(decoded.lastOffsetDelta, input.length - 1);
    decoded.records.forEach((r, i) => {
      assert.deepEqual(asComparable(r), asComparable(input[i]), `record ${i} with ${JSON.stringify(v)}`);
      assert.equal(r.timestamp, input[i].timestamp);
      assert.equal(r.offset, 1000 + i);
      assert.equal(r.offsetDelta, i);
    });
  }
});

test('offset gaps, an explicit lastOffsetDelta and LogAppendTime come back as written', () => {
  const batch = encodeRecordBatch(
    [
      { value: Buffer.from('a'), offsetDelta: 0, timestamp: 10 },
      { value: Buffer.from('b'), offsetDelta: 4, timestamp: 20 },
    ],
    { baseOffset: 50, lastOffsetDelta: 9, timestampType: 1, maxTimestamp: 777 },
  );
  const d = decodeRecordBatch(batch);
  assert.equal(d.lastOffsetDelta, 9);
  assert.equal(d.timestampType, 1);
  assert.deepEqual(
    d.records.map((r) => [r.offset, r.timestamp, r.timestampDelta]),
    [
      [50, 777, 0],
      [54, 777, 10],
    ],
  );
});

test('an empty batch (as compaction leaves) encodes and decodes', () => {
  const batch = encodeRecordBatch([], { baseOffset: 7, lastOffsetDelta: 3, producerId: 9, baseSequence: 12 });
  const d = decodeRecordBatch(batch);
  assert.deepEqual([d.records.length, d.recordsCount, d.lastOffsetDelta, d.baseSequence], [0, 0, 3, 12]);
});

test('a batch is found at an offset inside a larger buffer, and lists of batches decode', () => {
  const a = encodeRecordBatch(sampleRecords(3, 0), { baseOffset: 0 });
  const b = encodeRecordBatch(sampleRecords(4, 1), { baseOffset: 3, compression: 4 });
  const all = Buffer.concat([a, b, b.subarray(0, 30)]);
  assert.equal(decodeRecordBatch(all, a.length).records[3].offset, 6);
  assert.deepEqual(
    decodeRecordBatches(all).map((x) => x.records.length),
    [3, 4],
  );
  // Views, not Buffers, are accepted too.
  const view = new Uint8Array(all.buffer, all.byteOffset, all.length);
  assert.equal(decodeRecordBatches(view).length, 2);
});

const corrupt = (e: unknown) => isStreamError(e, 'BRK_CORRUPT_BATCH');

test('a CRC mismatch is refused unless checking is turned off', () => {
  const batch = encodeRecordBatch(sampleRecords(3, 0));
  batch.writeUInt32BE((batch.readUInt32BE(CRC_OFFSET) + 1) >>> 0, CRC_OFFSET);
  assert.throws(() => decodeRecordBatch(batch), corrupt);
  assert.equal(decodeRecordBatch(batch, 0, { verifyCrc: false }).records.length, 3);
});

test('a recordsCount that disagrees with the records is refused even with a valid CRC', () => {
  for (const count of [2, 4, -1, 2 ** 31 - 1]) {
    const batch = encodeRecordBatch(sampleRecords(3, 0), { compression: count === 4 ? 3 : 0 });
    batch.writeInt32BE(count, RECORDS_COUNT_OFFSET);
    rewriteBatchCrc(batch, 0);
    assert.throws(() => decodeRecordBatch(batch), corrupt, `count ${count}`);
  }
});

test('codec 5-7 in a valid batch is BRK_UNSUPPORTED_COMPRESSION', () => {
  const batch = encodeRecordBatch(sampleRecords(2, 0));
  batch.writeInt16BE(6, 21);
  rewriteBatchCrc(batch, 0);
  assert.throws(
    () => decodeRecordBatch(batch),
    (e) => isStreamError(e, 'BRK_UNSUPPORTED_COMPRESSION'),
  );
});

test('a batch whose declared length runs past the buffer is refused', () => {
  const batch = encodeRecordBatch(sampleRecords(2, 0));
  assert.throws(() => decodeRecordBatch(batch.subarray(0, batch.length - 1)), corrupt);
  assert.equal(readBatchHeader(batch, 0).recordsCount, 2);
});

test('values that cannot be encoded throw BRK_PROTOCOL_INVALID_VALUE', () => {
  assert.throws(
    () => encodeRecordBatch([{ value: null, timestamp: 0 }], { baseTimestamp: 2 ** 53 }),
    (e) => isStreamError(e, 'BRK_PROTOCOL_INVALID_VALUE'),
  );
  for (const bad of [
    { producerEpoch: 40_000 },
    { baseSequence: 2 ** 31 },
    { baseOffset: 0.5 },
    { producerId: Number.NaN },
  ]) {
    assert.throws(
      () => encodeRecordBatch([{ value: null, timestamp: 0 }], bad),
      (e) => isStreamError(e, 'BRK_PROTOCOL_INVALID_VALUE'),
      JSON.stringify(bad),
    );
  }
  assert.throws(
    () => encodeRecordBatch([{ value: null, timestamp: 0, offsetDelta: -(2 ** 32) }]),
    (e) => isStreamError(e, 'BRK_PROTOCOL_INVALID_VALUE'),
  );
});

test('unset options encode as Kafka writes "none": epoch, producer and sequence -1', () => {
  const d = decodeRecordBatch(encodeRecordBatch([{ value: Buffer.from('x'), timestamp: 5 }]));
  assert.deepEqual(
    [d.baseOffset, d.partitionLeaderEpoch, d.producerId, d.producerEpoch, d.baseSequence],
    [0, -1, -1, -1, -1],
  );
  assert.deepEqual([d.compression, d.timestampType, d.transactional, d.control], [0, 0, false, false]);
  assert.deepEqual([d.baseTimestamp, d.maxTimestamp, d.records[0].key], [5, 5, null]);
});
