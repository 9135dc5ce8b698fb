// What the broker stored, read straight from its partition log: proof that a client's batches arrived
// as sent (codec included), independent of any client's decoding.
import assert from 'node:assert/strict';
import {
  BatchCursor,
  compressionOf,
  decodeRecordBatches,
  readBatchHeader,
} from '../../../src/protocol/record-batch/index.ts';
import type { TestBroker } from '../../support/broker.ts';

/** Kafka's codec ids, by the names clients use. */
export const CODEC_IDS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

async function storedBytes(broker: TestBroker, topic: string, partition: number): Promise<Buffer> {
  const log = broker.state.topics.partition(topic, partition);
  assert.ok(log !== undefined, `${topic}/${partition} exists`);
  return (await log.read(0, 64 << 20)).records;
}

/** The codec id of every batch stored in a partition, in log order. */
export async function storedCodecs(broker: TestBroker, topic: string, partition = 0): Promise<number[]> {
  const records = await storedBytes(broker, topic, partition);
  const codecs: number[] = [];
  const cursor = new BatchCursor(records);
  while (cursor.next()) codecs.push(compressionOf(readBatchHeader(records, cursor.offset).attributes));
  return codecs;
}

/**
 * Fails unless every stored batch holding a value of at least `minValueBytes` uses `codec`, and there
 * is at least one. librdkafka sends a batch uncompressed when compressing would not shrink it, so a
 * batch of only short or null values (which linger timing may produce) is allowed to be plain.
 */
export async function assertLongValuesCompressed(
  broker: TestBroker,
  topic: string,
  codec: number,
  minValueBytes: number,
  partition = 0,
): Promise<void> {
  const batches = decodeRecordBatches(await storedBytes(broker, topic, partition));
  const holding = batches.filter((b) => b.records.some((r) => (r.value?.length ?? 0) >= minValueBytes));
  assert.ok(holding.length > 0, `${topic}: no stored batch holds a long value`);
  assert.deepEqual(
    holding.map((b) => b.compression),
    holding.map(() => codec),
    `${topic}: batches with long values are stored with codec ${codec}`,
  );
}
