// One pass over the partitions of a Fetch request: reads whole batches within the per-partition and total
// byte limits (KIP-74: the first batch of the response is returned even when it is bigger), and reports
// each partition's bounds. The long poll around it lives in the handler.

import { isStreamError } from '../../common/errors.ts';
import { BatchCursor, compressionOf, readBatchHeader } from '../../protocol/record-batch/index.ts';
import { KafkaError } from '../error-codes.ts';
import { LEADER_EPOCH } from '../produce/produce-partition.ts';
import type { PartitionLog, ReadResult } from '../storage/partition-log.ts';
import type { TopicStore } from '../topics/topic-store.ts';

/** What the transaction state says about partitions (ProducerStates implements it). */
export interface TxnReadView {
  /** Where read_committed reads stop: the first offset of the oldest open transaction, else the high watermark. */
  lastStableOffset(topic: string, partition: number, log: PartitionLog): number;
  /** Aborted transactions whose range meets [from, to). */
  abortedTransactions(
    topic: string,
    partition: number,
    log: PartitionLog,
    from: number,
    to: number,
  ): { producerId: number; firstOffset: number }[];
}

/** How one pass reads. */
export interface ReadOptions {
  maxBytes: number;
  isolationLevel: number;
  apiVersion: number;
  /** Without it the last stable offset is the high watermark and no transaction is aborted. */
  txns?: TxnReadView;
}

/** A partition of a Fetch request (v4–12 field names). */
export interface FetchPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

/** A topic of a Fetch request. */
export interface FetchTopic {
  topic: string;
  partitions: FetchPartition[];
}

/** A partition of the answer (PartitionData). */
export interface FetchedPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  preferredReadReplica: number;
  records: Buffer;
}

/** The answer of one pass, with what the long poll decides on. */
export interface FetchPass {
  responses: { topic: string; partitions: FetchedPartition[] }[];
  /** Record bytes in the answer. */
  bytes: number;
  /** Some partition has an error: Kafka answers at once. */
  hasError: boolean;
  /** High watermark of every partition read, to tell whether data arrived since. */
  seen: { topic: string; partition: number; highWatermark: number }[];
}

const EMPTY = Buffer.alloc(0);
const ZSTD = 4;
const READ_COMMITTED = 1;

function errorPartition(partitionIndex: number, errorCode: number): FetchedPartition {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}

/** End of the last whole batch of `buf` that ends within `limit` bytes. */
function wholeBatchesWithin(buf: Buffer, limit: number): number {
  const cursor = new BatchCursor(buf, 0, Math.min(limit, buf.length));
  let end = 0;
  while (cursor.next()) end = cursor.position;
  return end;
}

/** Offset after the last batch of `buf` (the next offset to fetch); `fallback` when it holds none. */
function nextOffsetAfter(buf: Buffer, fallback: number): number {
  const cursor = new BatchCursor(buf);
  let next = fallback;
  while (cursor.next()) {
    const header = readBatchHeader(buf, cursor.offset);
    next = header.baseOffset + header.lastOffsetDelta + 1;
  }
  return next;
}

/** End of the batches before the first zstd one (the whole buffer when there is none). */
function beforeZstd(buf: Buffer): number {
  const cursor = new BatchCursor(buf);
  while (cursor.next())
    if (compressionOf(readBatchHeader(buf, cursor.offset).attributes) === ZSTD) return cursor.offset;
  return buf.length;
}

/**
 * Reads every requested partition once, in request order, spending the `maxBytes` budget. Only the first
 * partition that returns data may exceed its limits (by its first batch).
 */
export async function readPartitions(
  store: TopicStore,
  topics: readonly FetchTopic[],
  options: ReadOptions,
): Promise<FetchPass> {
  const pass: FetchPass = { responses: [], bytes: 0, hasError: false, seen: [] };
  for (const { topic, partitions } of topics) {
    const answered: FetchedPartition[] = [];
    for (const request of partitions) {
      const answer = await readOne(store, topic, request, options, pass);
      if (answer.errorCode !== KafkaError.NONE) pass.hasError = true;
      pass.bytes += answer.records.length;
      answered.push(answer);
    }
    pass.responses.push({ topic, partitions: answered });
  }
  return pass;
}

function boundsOnly(log: PartitionLog, fetchOffset: number): ReadResult {
  const bounds = {
    highWatermark: log.highWatermark,
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
  };
  const outOfRange = fetchOffset < bounds.logStartOffset || fetchOffset > bounds.logEndOffset;
  return { ...bounds, records: EMPTY, outOfRange };
}

async function readOne(
  store: TopicStore,
  topic: string,
  request: FetchPartition,
  options: ReadOptions,
  pass: FetchPass,
): Promise<FetchedPartition> {
  const index = request.partition;
  const log = store.partition(topic, index);
  if (log === undefined) return errorPartition(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
  if (request.currentLeaderEpoch > LEADER_EPOCH)
    return errorPartition(index, KafkaError.UNKNOWN_LEADER_EPOCH);
  if (request.currentLeaderEpoch >= 0 && request.currentLeaderEpoch < LEADER_EPOCH) {
    return errorPartition(index, KafkaError.FENCED_LEADER_EPOCH);
  }
  const settings = store.settings(topic);
  const minOne = pass.bytes === 0;
  const limit = Math.min(request.partitionMaxBytes, options.maxBytes - pass.bytes);
  const committed = options.isolationLevel === READ_COMMITTED;
  // Computed before the read: the read's own high watermark can only be higher, never lower.
  const lastStable = options.txns?.lastStableOffset(topic, index, log) ?? log.highWatermark;
  let read: ReadResult;
  try {
    read =
      !minOne && limit <= 0
        ? boundsOnly(log, request.fetchOffset) // the budget is spent: bounds only, as Kafka answers
        : await log.read(request.fetchOffset, Math.max(limit, 0), committed ? { maxOffset: lastStable } : {});
  } catch (error) {
    if (isStreamError(error, 'BRK_STORAGE_CLOSED'))
      return errorPartition(index, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
    if (isStreamError(error, 'BRK_STORAGE_IO')) return errorPartition(index, KafkaError.KAFKA_STORAGE_ERROR);
    throw error;
  }
  if (read.outOfRange) return errorPartition(index, KafkaError.OFFSET_OUT_OF_RANGE);
  pass.seen.push({ topic, partition: index, highWatermark: read.highWatermark });
  let records = read.records;
  if (!minOne) records = records.subarray(0, wholeBatchesWithin(records, Math.max(limit, 0)));
  if (options.apiVersion < 10) {
    // Clients older than Fetch v10 cannot read zstd (KIP-110). Kafka refuses the partition when the
    // topic's compression.type is zstd; eddy also serves the batches before a producer's zstd batch and
    // refuses only when the next batch to read is zstd.
    const readable = settings?.compressionCodec === ZSTD ? 0 : beforeZstd(records);
    if (readable === 0 && (records.length > 0 || settings?.compressionCodec === ZSTD)) {
      return errorPartition(index, KafkaError.UNSUPPORTED_COMPRESSION_TYPE);
    }
    records = records.subarray(0, readable);
  }
  // read_committed clients drop the batches of these transactions (up to each one's ABORT marker).
  const aborted =
    !committed || records.length === 0 || options.txns === undefined
      ? []
      : options.txns.abortedTransactions(
          topic,
          index,
          log,
          request.fetchOffset,
          nextOffsetAfter(records, request.fetchOffset),
        );
  return {
    partitionIndex: index,
    errorCode: KafkaError.NONE,
    highWatermark: read.highWatermark,
    // Reported as it is now (it may have moved during the read), never above this answer's high watermark.
    lastStableOffset: Math.min(
      options.txns?.lastStableOffset(topic, index, log) ?? read.highWatermark,
      read.highWatermark,
    ),
    logStartOffset: read.logStartOffset,
    abortedTransactions: committed ? aborted : null,
    preferredReadReplica: -1,
    records,
  };
}
