import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ATTRIBUTES_OFFSET,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordInput,
  readBatchHeader,
  rewriteBatchCrc,
} from '../../protocol/record-batch/index.ts';
import { topicDefaults, topicSettings } from '../topics/topic-settings.ts';
import { checkBatch, checkFraming } from './check-batch.ts';
import { recompressBatch } from './recompress.ts';

const now = 1_700_000_000_000;
const settings = (overrides: Record<string, string> = {}) => topicSettings(topicDefaults('os'), overrides);
const batch = (
  options: Parameters<typeof encodeRecordBatch>[1] = {},
  records: RecordInput[] = [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: now }],
) => encodeRecordBatch(records, options);

function codeOf(result: object): number {
  return 'errorCode' in result ? (result as { errorCode: number }).errorCode : 0;
}

test('framing: one whole v2 batch, zstd only from v7', () => {
  assert.equal(codeOf(checkFraming(batch(), 3)), 0);
  assert.equal(codeOf(checkFraming(null, 3)), 87);
  assert.equal(codeOf(checkFraming(Buffer.alloc(0), 3)), 87);
  assert.equal(codeOf(checkFraming(Buffer.concat([batch(), batch()]), 7)), 87);
  const magic1 = batch();
  magic1[16] = 1;
  assert.equal(codeOf(checkFraming(magic1, 7)), 87);
  const whole = batch();
  assert.equal(codeOf(checkFraming(whole.subarray(0, whole.length - 3), 7)), 87);
  assert.equal(codeOf(checkFraming(Buffer.concat([batch(), Buffer.alloc(5)]), 7)), 2);
  const zstd = batch({ compression: 4 });
  assert.equal(codeOf(checkFraming(zstd, 6)), 76);
  assert.equal(codeOf(checkFraming(zstd, 7)), 0);
});

test('batch checks: size, CRC, control, counts, timestamps, keys on compacted topics', () => {
  const ok = batch();
  const header = readBatchHeader(ok, 0);
  assert.equal(codeOf(checkBatch(ok, header, settings(), now)), 0);
  assert.equal(
    codeOf(checkBatch(ok, header, settings({ 'max.message.bytes': String(ok.length - 1) }), now)),
    10,
  );
  assert.equal(codeOf(checkBatch(ok, header, settings({ 'segment.bytes': String(ok.length - 1) }), now)), 18);
  const corrupt = Buffer.from(ok);
  corrupt[corrupt.length - 1] ^= 0xff;
  assert.equal(codeOf(checkBatch(corrupt, header, settings(), now)), 2);
  const control = batch({ control: true });
  assert.equal(codeOf(checkBatch(control, readBatchHeader(control, 0), settings(), now)), 87);
  const lying = batch({ lastOffsetDelta: 3 });
  assert.equal(codeOf(checkBatch(lying, readBatchHeader(lying, 0), settings(), now)), 87);
  const noSeq = batch({ producerId: 7, producerEpoch: 0, baseSequence: -1 });
  assert.equal(codeOf(checkBatch(noSeq, readBatchHeader(noSeq, 0), settings(), now)), 87);

  const future = batch({}, [{ key: null, value: Buffer.from('v'), timestamp: now + 3_600_001 }]);
  assert.equal(codeOf(checkBatch(future, readBatchHeader(future, 0), settings(), now)), 32);
  const old = batch({}, [{ key: null, value: Buffer.from('v'), timestamp: now - 10_000 }]);
  assert.equal(codeOf(checkBatch(old, readBatchHeader(old, 0), settings(), now)), 0);
  assert.equal(
    codeOf(
      checkBatch(
        old,
        readBatchHeader(old, 0),
        settings({ 'message.timestamp.difference.max.ms': '5000' }),
        now,
      ),
    ),
    32,
  );
  assert.equal(
    codeOf(
      checkBatch(
        old,
        readBatchHeader(old, 0),
        settings({
          'message.timestamp.difference.max.ms': '5000',
          'message.timestamp.type': 'LogAppendTime',
        }),
        now,
      ),
    ),
    0,
  );
  assert.equal(
    codeOf(checkBatch(old, readBatchHeader(old, 0), settings({ 'cleanup.policy': 'compact' }), now)),
    87,
  );
  assert.equal(codeOf(checkBatch(ok, header, settings({ 'cleanup.policy': 'compact' }), now)), 0);

  const badCodec = batch();
  badCodec.writeInt16BE(6, ATTRIBUTES_OFFSET);
  rewriteBatchCrc(badCodec, 0);
  assert.equal(codeOf(checkBatch(badCodec, readBatchHeader(badCodec, 0), settings(), now)), 76);
});

test('recompression keeps records, producer fields and a valid CRC', () => {
  const records = [1, 2, 3].map((i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`value-${i}`.repeat(20)),
    timestamp: now + i,
  }));
  const source = encodeRecordBatch(records, {
    compression: 1,
    producerId: 9,
    producerEpoch: 2,
    baseSequence: 5,
  });
  for (const codec of [0, 2, 3, 4]) {
    const out = recompressBatch(source, codec);
    const decoded = decodeRecordBatch(out);
    assert.equal(decoded.compression, codec);
    assert.equal(decoded.producerId, 9);
    assert.equal(decoded.baseSequence, 5);
    assert.deepEqual(
      decoded.records.map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp]),
      records.map((r) => [r.key.toString(), r.value.toString(), r.timestamp]),
    );
  }
  assert.equal(recompressBatch(source, 1), source);
});
