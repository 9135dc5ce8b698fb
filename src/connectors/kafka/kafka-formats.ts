import type { RawBadRecord } from '../../engine/source.ts';
import type { FetchedRecord, TopicPartition } from '../../kafka/partition-consumer.ts';
import { toJson, unwritable } from '../shared/json.ts';

/** How a Kafka source turns record bytes into elements. */
export type KafkaSourceFormat<T> =
  | 'json'
  | 'string'
  | 'bytes'
  | {
      readonly deserialize: (
        value: Uint8Array | null,
        key: Uint8Array | null,
        headers: Record<string, string>,
      ) => T;
    };

/** How a Kafka sink turns elements into record values. */
export type KafkaSinkFormat<T> =
  | 'json'
  | 'string'
  | { readonly serialize: (value: T) => Uint8Array | string };

/**
 * The element for a record value; throws when the bytes do not decode (the source makes that a bad
 * record). A record without a value (a tombstone) is null for the built-in formats.
 */
export function decodeValue(
  format: KafkaSourceFormat<unknown>,
  value: Buffer | null,
  key: Buffer | null,
  headers: readonly [Buffer | null, Buffer | null][],
): unknown {
  if (typeof format === 'object') return format.deserialize(value, key, headerRecord(headers));
  if (value === null) return null;
  if (format === 'bytes') return value;
  if (format === 'string') return value.toString('utf8');
  return JSON.parse(value.toString('utf8'));
}

/**
 * Elements (with their Kafka timestamps) for fetched records of one partition; a record that does not
 * decode becomes a bad record with its bytes and origin `{ topic, partition, offset }`.
 */
export function decodeRecords(
  format: KafkaSourceFormat<unknown>,
  records: readonly FetchedRecord[],
  from: TopicPartition,
): { values: unknown[]; timestamps: number[]; bad: RawBadRecord[] } {
  const values: unknown[] = [];
  const timestamps: number[] = [];
  const bad: RawBadRecord[] = [];
  for (const r of records) {
    try {
      values.push(decodeValue(format, r.value, r.key, r.headers));
      timestamps.push(r.timestamp);
    } catch (error) {
      bad.push({
        error: `cannot deserialize the value: ${error instanceof Error ? error.message : String(error)}`,
        value: r.value,
        key: r.key,
        origin: { topic: from.topic, partition: from.partition, offset: Number(r.offset) },
        timestamp: r.timestamp,
      });
    }
  }
  return { values, timestamps, bad };
}

function headerRecord(headers: readonly [Buffer | null, Buffer | null][]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of headers) {
    if (key !== null) record[key.toString('utf8')] = value?.toString('utf8') ?? '';
  }
  return record;
}

/** Record value bytes for an element. */
export function encodeValue(format: KafkaSinkFormat<unknown>, value: unknown): Buffer {
  if (format === 'json') return Buffer.from(toJson(value, 'kafka sink'));
  if (format === 'string') return Buffer.from(typeof value === 'string' ? value : String(value));
  const encoded: unknown = format.serialize(value);
  return toBuffer(encoded, value, 'serialize');
}

/** Key bytes from what the key function returned (null: no key). */
export function encodeKey(key: unknown, value: unknown): Buffer | undefined {
  if (key === null || key === undefined) return undefined;
  return toBuffer(key, value, 'key');
}

function toBuffer(encoded: unknown, value: unknown, fn: string): Buffer {
  if (typeof encoded === 'string') return Buffer.from(encoded);
  if (encoded instanceof Uint8Array)
    return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  throw unwritable(
    'kafka sink',
    value,
    `${fn}() returned ${typeof encoded}; it must return a string or Uint8Array`,
  );
}
