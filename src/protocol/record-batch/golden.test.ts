import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32cJs } from './crc32c.ts';
import { decodeRecordBatch } from './decode.ts';
import { encodeRecordBatch } from './encode.ts';
import { readBatchHeader, verifyBatchCrc } from './header.ts';

/**
 * Golden bytes. The first batch is assembled here field by field from the RecordBatch v2 layout in
 * Kafka's implementation docs. Both batches were also written independently by kafka-python 2.0.2
 * (DefaultRecordBatchBuilder, its own pure-Python CRC-32C); those hex strings are the second oracle.
 */

const TS = 1_700_000_000_000; // 0x0000018bcfe56800

function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

// One record: key "key", value "value", no headers, at TS, offsetDelta 0.
const RECORD = hex(
  '1c', // length varint: 14 body bytes, zig-zag 28
  '00', // attributes
  '00', // timestampDelta varlong 0
  '00', // offsetDelta varint 0
  '06 6b6579', // key length 3 (zig-zag 6), "key"
  '0a 76616c7565', // value length 5 (zig-zag 10), "value"
  '00', // header count 0
);

const HEADER_BEFORE_CRC = hex(
  '0000000000000000', // baseOffset 0
  '00000040', // batchLength 64 = 61 - 12 + 15 record bytes
  '00000000', // partitionLeaderEpoch 0 (kafka-python writes 0; Java writes -1)
  '02', // magic
);
const HEADER_AFTER_CRC = hex(
  '0000', // attributes: no codec, CreateTime, not transactional, not control
  '00000000', // lastOffsetDelta
  '0000018bcfe56800', // baseTimestamp
  '0000018bcfe56800', // maxTimestamp
  'ffffffffffffffff', // producerId -1
  'ffff', // producerEpoch -1
  'ffffffff', // baseSequence -1
  '00000001', // recordsCount
);

const KAFKA_PYTHON_SIMPLE =
  '0000000000000000000000400000000002db5e9cdd0000000000000000018bcfe568000000018bcfe56800ffffffffffffffffffffffffffff000000011c000000066b65790a76616c756500';

// Transactional, producer 42 epoch 3 sequence 7; record 0: null key, value "v1", headers h1="x", h2=null;
// record 1 at TS+5: key "k2", null value.
const KAFKA_PYTHON_TXN =
  '00000000000000000000004c00000000020513f4b70010000000010000018bcfe568000000018bcfe56805000000000000002a0003000000070000000222000000010476310404683102780468320110000a02046b320100';

test('a hand-assembled one-record batch matches the encoder byte for byte, CRC included', () => {
  const covered = Buffer.concat([HEADER_AFTER_CRC, RECORD]);
  const crc = crc32cJs(covered);
  assert.equal(crc, 0xdb5e9cdd, 'CRC-32C of attributes..end, as kafka-python computed it');
  const crcBytes = Buffer.alloc(4);
  crcBytes.writeUInt32BE(crc);
  const golden = Buffer.concat([HEADER_BEFORE_CRC, crcBytes, covered]);
  assert.equal(golden.toString('hex'), KAFKA_PYTHON_SIMPLE);

  const encoded = encodeRecordBatch(
    [{ key: Buffer.from('key'), value: Buffer.from('value'), timestamp: TS }],
    {
      partitionLeaderEpoch: 0,
    },
  );
  assert.equal(encoded.toString('hex'), golden.toString('hex'));
  assert.ok(verifyBatchCrc(golden, 0));
  assert.equal(readBatchHeader(golden, 0).crc, 0xdb5e9cdd);
});

test('headers, null key and value, and producer fields match kafka-python', () => {
  const encoded = encodeRecordBatch(
    [
      {
        key: null,
        value: Buffer.from('v1'),
        headers: [
          { key: 'h1', value: Buffer.from('x') },
          { key: 'h2', value: null },
        ],
        timestamp: TS,
      },
      { key: Buffer.from('k2'), value: null, timestamp: TS + 5 },
    ],
    { partitionLeaderEpoch: 0, transactional: true, producerId: 42, producerEpoch: 3, baseSequence: 7 },
  );
  assert.equal(encoded.toString('hex'), KAFKA_PYTHON_TXN);
});

test('the kafka-python batches decode to what was written', () => {
  const simple = decodeRecordBatch(Buffer.from(KAFKA_PYTHON_SIMPLE, 'hex'));
  assert.equal(simple.records.length, 1);
  assert.equal(simple.records[0].key?.toString(), 'key');
  assert.equal(simple.records[0].value?.toString(), 'value');
  assert.equal(simple.records[0].timestamp, TS);

  const txn = decodeRecordBatch(Buffer.from(KAFKA_PYTHON_TXN, 'hex'));
  assert.equal(txn.transactional, true);
  assert.equal(txn.control, false);
  assert.deepEqual([txn.producerId, txn.producerEpoch, txn.baseSequence], [42, 3, 7]);
  assert.deepEqual([txn.lastOffsetDelta, txn.maxTimestamp], [1, TS + 5]);
  const [r0, r1] = txn.records;
  assert.equal(r0.key, null);
  assert.equal(r0.value?.toString(), 'v1');
  assert.deepEqual(
    r0.headers.map((h) => [h.key, h.value?.toString() ?? null]),
    [
      ['h1', 'x'],
      ['h2', null],
    ],
  );
  assert.deepEqual([r1.offset, r1.timestamp, r1.key?.toString(), r1.value], [1, TS + 5, 'k2', null]);
});
