import { deserialize, serialize } from 'node:v8';
import { StreamError } from '../../common/errors.ts';
import type { Batch } from '../batch.ts';
import { assertPlainElement, serializeElement } from './plain-data.ts';

// The record format of `<jobId>-repartition-<n>` topics (docs/internals/scale-out.md §2, §5). Every
// record carries the writing task in an `eddy-writer` header. A data record holds one element: value =
// v8.serialize(element), key = its key group as 2 bytes big-endian, timestamp = its event time. A
// control record has an `eddy-control` header naming its kind and the writing task as its key; readers
// turn it into an event and never hand it to user code. Kafka timestamps are non-negative integers, so
// an event time that is not one (none, negative, fractional) rides in an `eddy-ts` header instead.
// A batch record (`eddy-batch` header) holds several elements of one partition: value =
// v8.serialize([elements, Float64Array of event times]); it costs a quarter of the per-element
// serialize calls and a fraction of the Kafka records (docs/internals/scale-out.md §6).

/** A record to produce into one partition of a repartition topic. */
export interface RepartitionRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer, Buffer])[];
  /** Milliseconds since the epoch; undefined lets the producer stamp it. */
  readonly timestamp: number | undefined;
}

/** A record as fetched back from the topic (FetchedRecord of the Kafka client has this shape). */
export interface FetchedRepartitionRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly (readonly [Uint8Array | null, Uint8Array | null])[];
  readonly timestamp: number;
  readonly offset?: bigint | number;
}

/** What a writing task tells every partition it writes to besides data. */
export type ControlEvent =
  | { readonly kind: 'watermark'; readonly writer: number; readonly time: number }
  | { readonly kind: 'idle'; readonly writer: number; readonly idle: boolean }
  | { readonly kind: 'end'; readonly writer: number };

/** A control event and its place: `at` elements of the decoded batch came before it. */
export interface PositionedControl {
  readonly at: number;
  readonly event: ControlEvent;
}

/** Where fetched records come from, for error messages. */
export interface RepartitionOrigin {
  readonly topic: string;
  readonly partition: number;
}

export const WRITER_HEADER = 'eddy-writer';
export const CONTROL_HEADER = 'eddy-control';
export const TIMESTAMP_HEADER = 'eddy-ts';
export const BATCH_HEADER = 'eddy-batch';

/** Largest value of one batch record before it is split in two; Kafka refuses records over 1 MiB by default. */
const MAX_BATCH_BYTES = 512 * 1024;
const BATCH_KEY = Buffer.from(BATCH_HEADER);
const BATCH_VALUE = Buffer.from('1');

const WRITER_KEY = Buffer.from(WRITER_HEADER);
const CONTROL_KEY = Buffer.from(CONTROL_HEADER);
const TIMESTAMP_KEY = Buffer.from(TIMESTAMP_HEADER);
const CONTROL_KINDS = ['watermark', 'idle', 'active', 'end'] as const;
type ControlKind = (typeof CONTROL_KINDS)[number];
const CONTROL_VALUES = new Map<ControlKind, Buffer>(CONTROL_KINDS.map((kind) => [kind, Buffer.from(kind)]));

/** Key groups and task indexes fit in 2 bytes: maxParallelism is at most 32768. */
const MAX_INDEX = 0xffff;
// The 2-byte keys are immutable and few, so records share them instead of allocating one each.
const indexKeys: Buffer[] = [];

function indexKey(index: number): Buffer {
  let key = indexKeys[index];
  if (key === undefined) {
    key = Buffer.alloc(2);
    key.writeUInt16BE(index);
    indexKeys[index] = key;
  }
  return key;
}

function checkIndex(what: string, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX)
    throw new StreamError(
      'ENG_INTERNAL',
      `${what} ${index} does not fit a repartition record (0..${MAX_INDEX})`,
    );
}

const isKafkaTimestamp = (time: number): boolean => Number.isSafeInteger(time) && time >= 0;

function float64(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeDoubleBE(value);
  return bytes;
}

/**
 * Encodes what one writing task sends into the partitions of a repartition topic.
 *
 * @example
 * const encoder = new RepartitionEncoder(3, 'job-repartition-0');
 * const records = encoder.data(batchOf([{ user: 'a' }], [1_000]), [17]); // key <00 11>, timestamp 1000
 * const mark = encoder.watermark(990); // goes to every partition the task writes to
 */
export class RepartitionEncoder {
  readonly writer: number;
  private readonly topic: string | undefined;
  private readonly writerHeader: readonly [Buffer, Buffer];

  constructor(writer: number, topic?: string) {
    checkIndex('writer task', writer);
    this.writer = writer;
    this.topic = topic;
    this.writerHeader = [WRITER_KEY, Buffer.from(String(writer))];
  }

  /** One record per element; `keyGroups[i]` is the key group of `batch.values[i]`. */
  data(batch: Batch<unknown>, keyGroups: ArrayLike<number>): RepartitionRecord[] {
    const { values, timestamps } = batch;
    const records: RepartitionRecord[] = new Array(values.length);
    const plainHeaders = [this.writerHeader];
    for (let i = 0; i < values.length; i++) {
      const group = keyGroups[i];
      if (indexKeys[group] === undefined) checkIndex('key group', group);
      const value = serializeElement(values[i], i, this.topic);
      const time = timestamps[i];
      records[i] = isKafkaTimestamp(time)
        ? { key: indexKey(group), value, headers: plainHeaders, timestamp: time }
        : {
            key: indexKey(group),
            value,
            headers: [this.writerHeader, [TIMESTAMP_KEY, float64(time)]],
            timestamp: undefined,
          };
    }
    return records;
  }

  /**
   * Batch records: the elements of `batch` grouped by their partition (`partitions[i]` for element i),
   * in order within each partition, one record per partition (split while its value is over 512 KiB).
   * A record that cannot be serialized fails as data() does, naming the element.
   */
  dataBatches(
    batch: Batch<unknown>,
    partitions: ArrayLike<number>,
  ): { partition: number; record: RepartitionRecord }[] {
    const byPartition = new Map<number, number[]>();
    for (let i = 0; i < batch.values.length; i++) {
      assertPlainElement(batch.values[i], i, this.topic);
      const partition = partitions[i];
      const list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, [i]);
      else list.push(i);
    }
    const out: { partition: number; record: RepartitionRecord }[] = [];
    for (const [partition, indexes] of byPartition) this.batchRecords(batch, indexes, partition, out);
    return out;
  }

  private batchRecords(
    batch: Batch<unknown>,
    indexes: readonly number[],
    partition: number,
    out: { partition: number; record: RepartitionRecord }[],
  ): void {
    const values = indexes.map((i) => batch.values[i]);
    const times = Float64Array.from(indexes, (i) => batch.timestamps[i]);
    let value: Buffer;
    try {
      value = serialize([values, times]);
    } catch (cause) {
      // Serializing each element alone names the one that fails.
      for (const i of indexes) serializeElement(batch.values[i], i, this.topic);
      throw cause;
    }
    if (value.length > MAX_BATCH_BYTES && indexes.length > 1) {
      const half = indexes.length >> 1;
      this.batchRecords(batch, indexes.slice(0, half), partition, out);
      this.batchRecords(batch, indexes.slice(half), partition, out);
      return;
    }
    let newest: number | undefined;
    for (const time of times)
      if (isKafkaTimestamp(time) && (newest === undefined || time > newest)) newest = time;
    const headers = [this.writerHeader, [BATCH_KEY, BATCH_VALUE] as const];
    out.push({ partition, record: { key: indexKey(this.writer), value, headers, timestamp: newest } });
  }

  /** The task's watermark reached `time`: no element it writes later is older. */
  watermark(time: number): RepartitionRecord {
    return this.control('watermark', float64(time));
  }

  /** The task has nothing to write for a while (true) or writes again (false). */
  idle(idle: boolean): RepartitionRecord {
    return this.control(idle ? 'idle' : 'active', null);
  }

  /** The task's input has ended: it writes nothing more. */
  end(): RepartitionRecord {
    return this.control('end', null);
  }

  private control(kind: ControlKind, value: Buffer | null): RepartitionRecord {
    return {
      key: indexKey(this.writer),
      value,
      headers: [this.writerHeader, [CONTROL_KEY, CONTROL_VALUES.get(kind)!]],
      timestamp: undefined,
    };
  }
}

/**
 * Splits records fetched from one partition into the elements (as a batch) and the control events, each
 * placed after the elements written before it. Throws ENG_REPARTITION_RECORD_INVALID for a record eddy
 * did not write or cannot read, naming the topic, partition and offset when known.
 *
 * @example
 * const { batch, controls } = decodeRepartitionRecords(fetched, { topic, partition: 2 });
 * // controls: [{ at: 500, event: { kind: 'watermark', writer: 1, time: 990 } }]: covers batch[0..500)
 */
export function decodeRepartitionRecords(
  records: readonly FetchedRepartitionRecord[],
  origin?: RepartitionOrigin,
): { batch: Batch<unknown>; controls: PositionedControl[] } {
  const values: unknown[] = [];
  const timestamps: number[] = [];
  const controls: PositionedControl[] = [];
  for (const record of records) {
    let writer: Uint8Array | null | undefined;
    let control: Uint8Array | null | undefined;
    let time: Uint8Array | null | undefined;
    let batched = false;
    for (const [key, value] of record.headers) {
      if (key === null) continue;
      if (sameBytes(key, WRITER_KEY)) writer = value;
      else if (sameBytes(key, CONTROL_KEY)) control = value;
      else if (sameBytes(key, TIMESTAMP_KEY)) time = value;
      else if (sameBytes(key, BATCH_KEY)) batched = true;
    }
    const from = parseWriter(writer, record, origin);
    if (control !== undefined) {
      controls.push({ at: values.length, event: decodeControl(from, control, record, origin) });
      continue;
    }
    if (record.value === null) throw invalid('a data record has no value', record, origin);
    if (batched) {
      decodeBatch(record, origin, values, timestamps);
      continue;
    }
    try {
      values.push(deserialize(record.value));
    } catch (cause) {
      throw invalid(`its value does not deserialize (${messageOf(cause)})`, record, origin, cause);
    }
    if (time === undefined) timestamps.push(record.timestamp);
    else if (time !== null && time.length === 8) timestamps.push(readFloat64(time));
    else throw invalid(`its ${TIMESTAMP_HEADER} header is not 8 bytes`, record, origin);
  }
  return { batch: { values, timestamps }, controls };
}

function decodeBatch(
  record: FetchedRepartitionRecord,
  origin: RepartitionOrigin | undefined,
  values: unknown[],
  timestamps: number[],
): void {
  let decoded: unknown;
  try {
    decoded = deserialize(record.value!);
  } catch (cause) {
    throw invalid(`its value does not deserialize (${messageOf(cause)})`, record, origin, cause);
  }
  const [elements, times] = Array.isArray(decoded) ? decoded : [];
  if (!Array.isArray(elements) || !(times instanceof Float64Array) || times.length !== elements.length)
    throw invalid('its value is not a batch of elements and event times', record, origin);
  for (let i = 0; i < elements.length; i++) {
    values.push(elements[i]);
    timestamps.push(times[i]);
  }
}

function decodeControl(
  writer: number,
  value: Uint8Array | null,
  record: FetchedRepartitionRecord,
  origin: RepartitionOrigin | undefined,
): ControlEvent {
  const kind =
    value === null ? '' : Buffer.from(value.buffer, value.byteOffset, value.length).toString('latin1');
  if (kind === 'idle' || kind === 'active') return { kind: 'idle', writer, idle: kind === 'idle' };
  if (kind === 'end') return { kind: 'end', writer };
  if (kind === 'watermark') {
    const bytes = record.value;
    if (bytes === null || bytes.length !== 8) throw invalid('its watermark is not 8 bytes', record, origin);
    return { kind: 'watermark', writer, time: readFloat64(bytes) };
  }
  throw invalid(
    `its ${CONTROL_HEADER} header "${kind}" is not one of ${CONTROL_KINDS.join(', ')} (written by a newer eddy?)`,
    record,
    origin,
  );
}

/** The writer index from the ASCII digits of its header; digit by digit, as this runs per record. */
function parseWriter(
  bytes: Uint8Array | null | undefined,
  record: FetchedRepartitionRecord,
  origin: RepartitionOrigin | undefined,
): number {
  if (bytes === undefined) throw invalid(`it has no ${WRITER_HEADER} header`, record, origin);
  let writer = 0;
  const length = bytes === null ? 0 : bytes.length;
  for (let i = 0; i < length; i++) {
    const digit = bytes![i] - 48;
    if (digit < 0 || digit > 9) break;
    writer = writer * 10 + digit;
    if (i === length - 1 && writer <= MAX_INDEX) return writer;
  }
  throw invalid(`its ${WRITER_HEADER} header is not a task index`, record, origin);
}

function sameBytes(a: Uint8Array, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function readFloat64(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function invalid(
  problem: string,
  record: FetchedRepartitionRecord,
  origin: RepartitionOrigin | undefined,
  cause?: unknown,
): StreamError {
  const where = [
    origin === undefined ? 'a repartition topic' : `repartition topic "${origin.topic}"`,
    origin === undefined ? undefined : `partition ${origin.partition}`,
    record.offset === undefined ? undefined : `offset ${record.offset}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return new StreamError(
    'ENG_REPARTITION_RECORD_INVALID',
    `a record in ${where} cannot be read: ${problem}. Only the tasks of one eddy job write to its ` +
      'repartition topics: make sure no other program produces to this topic and that every process ' +
      'of the job runs the same eddy version.',
    {
      cause,
      details: {
        topic: origin?.topic,
        partition: origin?.partition,
        offset: record.offset === undefined ? undefined : Number(record.offset),
      },
    },
  );
}
