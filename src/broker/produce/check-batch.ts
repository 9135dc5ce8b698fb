// The checks Kafka makes on a partition's records in a Produce request (ProduceRequest.validateRecords,
// UnifiedLog.analyzeAndValidateRecords, LogValidator in apache/kafka), in Kafka's order, answered as Kafka
// error codes. Records stay opaque unless a topic config needs them decoded.

import { isStreamError } from '../../common/errors.ts';
import {
  BatchCursor,
  type BatchHeader,
  CURRENT_MAGIC,
  compressionOf,
  decodeRecordBatch,
  isControl,
  isTransactional,
  MAGIC_OFFSET,
  type RecordBatch,
  readBatchHeader,
  verifyBatchCrc,
} from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import type { Failure } from '../topics/topic-rules.ts';
import type { TopicSettings } from '../topics/topic-settings.ts';

const ZSTD = 4;
const MAX_CODEC = 4;
const NO_TIMESTAMP = -1;

function fail(errorCode: number, errorMessage: string): Failure {
  return { errorCode, errorMessage };
}

/**
 * Framing checks that need no topic: exactly one whole RecordBatch v2, zstd only from Produce v7. Old
 * message sets (magic 0/1) get INVALID_RECORD from v3 as in Kafka, UNSUPPORTED_FOR_MESSAGE_FORMAT below.
 * Returns the batch header or a failure.
 */
export function checkFraming(records: Buffer | null, apiVersion: number): BatchHeader | Failure {
  const buf = records ?? Buffer.alloc(0);
  // The magic byte sits at offset 16 in every message format, v0/v1 message sets included.
  if (buf.length > MAGIC_OFFSET && buf[MAGIC_OFFSET] !== CURRENT_MAGIC) {
    if (apiVersion < 3) {
      // Kafka up-converts v0/v1 message sets here; eddy only stores RecordBatch v2.
      return fail(
        KafkaError.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        'Only RecordBatch v2 (magic 2) is supported by this broker',
      );
    }
    return fail(
      KafkaError.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain record batches with magic version 2`,
    );
  }
  const cursor = new BatchCursor(buf);
  if (!cursor.next()) {
    if (cursor.stop === 'corrupt') return fail(KafkaError.CORRUPT_MESSAGE, cursor.reason);
    return fail(
      KafkaError.INVALID_RECORD,
      `Produce requests with version ${apiVersion} must have at least one record batch per partition`,
    );
  }
  const header = readBatchHeader(cursor.buf, 0);
  const codec = compressionOf(header.attributes);
  if (codec === ZSTD && apiVersion < 7) {
    return fail(
      KafkaError.UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${apiVersion} are not allowed to use ZStandard compression`,
    );
  }
  if (cursor.next()) {
    return fail(
      KafkaError.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain exactly one record batch per partition`,
    );
  }
  if (cursor.stop !== 'end')
    return fail(KafkaError.CORRUPT_MESSAGE, 'bytes after the record batch are not a batch');
  return header;
}

/**
 * Checks of the one batch against the topic: size, CRC, batch consistency, control and producer fields,
 * and (decoding records only when a config asks for it) timestamps and keys. Returns the decoded batch
 * when it had to be decoded, null when not, or a failure.
 */
export function checkBatch(
  buf: Buffer,
  header: BatchHeader,
  settings: TopicSettings,
  now: number,
): { decoded: RecordBatch | null } | Failure {
  if (buf.length > settings.maxMessageBytes) {
    return fail(
      KafkaError.MESSAGE_TOO_LARGE,
      `The record batch is ${buf.length} bytes, larger than max.message.bytes (${settings.maxMessageBytes})`,
    );
  }
  if (buf.length > settings.segmentBytes) {
    return fail(
      KafkaError.RECORD_LIST_TOO_LARGE,
      `The record batch is ${buf.length} bytes, larger than segment.bytes (${settings.segmentBytes})`,
    );
  }
  if (!verifyBatchCrc(buf, 0))
    return fail(KafkaError.CORRUPT_MESSAGE, 'Record batch CRC does not match its contents');
  if (compressionOf(header.attributes) > MAX_CODEC) {
    return fail(
      KafkaError.UNSUPPORTED_COMPRESSION_TYPE,
      `Unknown compression type id ${compressionOf(header.attributes)}`,
    );
  }
  if (
    header.lastOffsetDelta < 0 ||
    header.recordsCount <= 0 ||
    header.recordsCount !== header.lastOffsetDelta + 1
  ) {
    return fail(KafkaError.INVALID_RECORD, 'Inconsistent batch offset range and record count');
  }
  if (isControl(header.attributes))
    return fail(KafkaError.INVALID_RECORD, 'Clients are not allowed to write control records');
  if (header.producerId >= 0 && header.baseSequence < 0) {
    return fail(
      KafkaError.INVALID_RECORD,
      `Invalid sequence number ${header.baseSequence} for an idempotent batch`,
    );
  }
  if (isTransactional(header.attributes) && header.producerId < 0) {
    return fail(KafkaError.INVALID_RECORD, 'Transactional record batch without a producer id');
  }
  const checkTimes = !settings.logAppendTime;
  if (
    checkTimes &&
    header.maxTimestamp !== NO_TIMESTAMP &&
    header.maxTimestamp > now + settings.timestampAfterMaxMs
  ) {
    return timestampFailure(header.maxTimestamp, now, settings);
  }
  const decode = settings.compacted || (checkTimes && Number.isFinite(settings.timestampBeforeMaxMs));
  if (!decode) return { decoded: null };
  let decoded: RecordBatch;
  try {
    decoded = decodeRecordBatch(buf, 0, { verifyCrc: false });
  } catch (error) {
    if (isStreamError(error)) return fail(KafkaError.CORRUPT_MESSAGE, error.message);
    throw error;
  }
  for (const record of decoded.records) {
    if (settings.compacted && record.key === null) {
      return fail(KafkaError.INVALID_RECORD, 'Compacted topic cannot accept message without key');
    }
    const ts = record.timestamp;
    if (
      checkTimes &&
      ts !== NO_TIMESTAMP &&
      (ts < now - settings.timestampBeforeMaxMs || ts > now + settings.timestampAfterMaxMs)
    ) {
      return timestampFailure(ts, now, settings);
    }
  }
  return { decoded };
}

function timestampFailure(ts: number, now: number, settings: TopicSettings): Failure {
  return fail(
    KafkaError.INVALID_TIMESTAMP,
    `Timestamp ${ts} of a record is out of range: the broker time is ${now}, and records may be at most ` +
      `${settings.timestampBeforeMaxMs} ms older (message.timestamp.before.max.ms) and ` +
      `${settings.timestampAfterMaxMs} ms newer (message.timestamp.after.max.ms)`,
  );
}
