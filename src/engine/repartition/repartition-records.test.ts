import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { MAX_TIMESTAMP } from '../../common/time.ts';
import { batchOf } from '../batch.ts';
import {
  decodeRepartitionRecords,
  type FetchedRepartitionRecord,
  RepartitionEncoder,
  type RepartitionRecord,
} from './repartition-records.ts';

const TOPIC = 'job-repartition-0';
const BROKER_TIME = 1_700_000_000_000;

/** What a consumer fetches back: fresh buffers, offsets, the producer's time where none was set. */
function roundTrip(records: readonly RepartitionRecord[], firstOffset = 0): FetchedRepartitionRecord[] {
  return records.map((record, i) => ({
    offset: BigInt(firstOffset + i),
    key: Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    headers: record.headers.map(([key, value]) => [Buffer.from(key), Buffer.from(value)] as const),
    timestamp: record.timestamp ?? BROKER_TIME,
  }));
}

function headerText(record: RepartitionRecord, name: string): string | undefined {
  return record.headers.find(([key]) => key.toString() === name)?.[1].toString();
}

test('every kind of plain value survives a round trip', () => {
  const values: unknown[] = [
    { id: 7, name: 'ann', tags: ['a', 'b'], nested: { deep: [1, { x: null }] } },
    [1, 'two', [3]],
    new Map<unknown, unknown>([
      ['k', { v: 1 }],
      [2, [3]],
    ]),
    new Set(['x', 'y']),
    new Date('2024-05-01T10:00:00.000Z'),
    12345678901234567890n,
    new Uint8Array([1, 2, 255]),
    new Float64Array([1.5, -0, Number.NaN]),
    new BigInt64Array([-5n]),
    Buffer.from('bytes'),
    'text',
    42.5,
    Number.NaN,
    -0,
    true,
    null,
    undefined,
    { when: new Date(0), amount: 10n, counts: new Map([['a', 1]]) },
  ];
  const timestamps = values.map((_, i) => 1_000 + i);
  const records = new RepartitionEncoder(2, TOPIC).data(
    batchOf(values, timestamps),
    values.map((_, i) => i),
  );
  assert.equal(records.length, values.length);
  const { batch, controls } = decodeRepartitionRecords(roundTrip(records), { topic: TOPIC, partition: 0 });
  assert.deepEqual(batch.values, values);
  assert.deepEqual(batch.timestamps, timestamps);
  assert.deepEqual(controls, []);
  assert.ok(batch.values[4] instanceof Date && batch.values[9] instanceof Buffer, 'kinds are kept');
});

test('data records carry the key group as 2 big-endian bytes, the event time and the writer', () => {
  const encoder = new RepartitionEncoder(12, TOPIC);
  const [a, b] = encoder.data(batchOf([{ user: 'a' }, { user: 'b' }], [5_000, 6_000]), [300, 0]);
  assert.deepEqual([...a.key], [0x01, 0x2c]);
  assert.deepEqual([...b.key], [0x00, 0x00]);
  assert.equal(a.timestamp, 5_000);
  assert.equal(b.timestamp, 6_000);
  assert.equal(headerText(a, 'eddy-writer'), '12');
  assert.equal(headerText(a, 'eddy-control'), undefined);
});

test('event times Kafka cannot hold (none, negative, fractional) come back exactly', () => {
  const timestamps = [Number.NaN, -86_400_000, 1.5, 0, MAX_TIMESTAMP];
  const records = new RepartitionEncoder(0).data(
    batchOf(
      timestamps.map((_, i) => i),
      timestamps,
    ),
    [1, 1, 1, 1, 1],
  );
  assert.deepEqual(
    records.map((r) => r.timestamp),
    [undefined, undefined, undefined, 0, MAX_TIMESTAMP],
    'the broker stamps its own time where the event time is not a Kafka timestamp',
  );
  const { batch } = decodeRepartitionRecords(roundTrip(records));
  assert.deepEqual(batch.timestamps, timestamps);
});

test('control records of every kind decode to events naming their writer, never to elements', () => {
  const encoder = new RepartitionEncoder(3, TOPIC);
  const records = [
    encoder.watermark(1_234),
    encoder.idle(true),
    encoder.idle(false),
    encoder.watermark(MAX_TIMESTAMP),
    encoder.end(),
  ];
  for (const record of records) {
    assert.equal(headerText(record, 'eddy-writer'), '3');
    assert.deepEqual([...record.key], [0, 3]);
  }
  assert.equal(headerText(records[0], 'eddy-control'), 'watermark');
  const { batch, controls } = decodeRepartitionRecords(roundTrip(records));
  assert.deepEqual(batch.values, []);
  assert.deepEqual(controls, [
    { at: 0, event: { kind: 'watermark', writer: 3, time: 1_234 } },
    { at: 0, event: { kind: 'idle', writer: 3, idle: true } },
    { at: 0, event: { kind: 'idle', writer: 3, idle: false } },
    { at: 0, event: { kind: 'watermark', writer: 3, time: MAX_TIMESTAMP } },
    { at: 0, event: { kind: 'end', writer: 3 } },
  ]);
});

test('each control event is placed after exactly the elements written before it', () => {
  const one = new RepartitionEncoder(0);
  const two = new RepartitionEncoder(1);
  const records = [
    ...one.data(batchOf(['a', 'b'], [1, 2]), [5, 6]),
    one.watermark(2),
    ...two.data(batchOf(['c'], [3]), [7]),
    two.idle(true),
    ...one.data(batchOf(['d'], [4]), [5]),
    one.end(),
  ];
  const { batch, controls } = decodeRepartitionRecords(roundTrip(records));
  assert.deepEqual(batch.values, ['a', 'b', 'c', 'd']);
  assert.deepEqual(controls, [
    { at: 2, event: { kind: 'watermark', writer: 0, time: 2 } },
    { at: 3, event: { kind: 'idle', writer: 1, idle: true } },
    { at: 4, event: { kind: 'end', writer: 0 } },
  ]);
});

test('a value that is not plain data is refused with the place of the culprit', () => {
  const encoder = new RepartitionEncoder(0, TOPIC);
  const send = (value: unknown) => () => encoder.data(batchOf([{ ok: 1 }, value], [1, 2]), [0, 0]);
  assert.throws(send({ handlers: [1, () => 2] }), (error) => {
    assert.ok(isStreamError(error, 'ENG_RECORD_NOT_SERIALIZABLE'));
    assert.match(error.message, /record 1 of a batch/);
    assert.match(error.message, /record\.handlers\[1\] is a function/);
    assert.match(error.message, /job-repartition-0/);
    assert.match(error.message, /cross processes must be plain data/);
    return true;
  });
  assert.throws(send({ s: Symbol('tag') }), /record\.s is a symbol/);
  class Reading {
    celsius = 20;
  }
  assert.throws(send(new Reading()), (error) => {
    assert.ok(isStreamError(error, 'ENG_RECORD_NOT_SERIALIZABLE'));
    assert.match(error.message, /instance of class Reading/);
    return true;
  });
});

test('key groups and writer indexes outside 2 bytes are refused', () => {
  assert.throws(
    () => new RepartitionEncoder(70_000),
    (e) => isStreamError(e, 'ENG_INTERNAL'),
  );
  const encoder = new RepartitionEncoder(0);
  assert.throws(
    () => encoder.data(batchOf([1], [1]), [65_536]),
    (e) => isStreamError(e, 'ENG_INTERNAL') && /key group 65536/.test(e.message),
  );
});

test('records eddy cannot read fail with the topic, partition and offset', () => {
  const good = roundTrip(new RepartitionEncoder(1).data(batchOf([{ a: 1 }], [1]), [0]), 41)[0];
  const origin = { topic: TOPIC, partition: 4 };
  const cases: [string, FetchedRepartitionRecord, RegExp][] = [
    ['garbage value', { ...good, value: Buffer.from([1, 2, 3]) }, /does not deserialize/],
    ['no value', { ...good, value: null }, /has no value/],
    ['no writer', { ...good, headers: [] }, /no eddy-writer header/],
    [
      'bad writer',
      { ...good, headers: [[Buffer.from('eddy-writer'), Buffer.from('x1')]] },
      /not a task index/,
    ],
    [
      'unknown control',
      { ...good, headers: [...good.headers, [Buffer.from('eddy-control'), Buffer.from('pause')]] },
      /"pause" is not one of/,
    ],
    [
      'short watermark',
      {
        ...good,
        value: Buffer.from([1]),
        headers: [...good.headers, [Buffer.from('eddy-control'), Buffer.from('watermark')]],
      },
      /watermark is not 8 bytes/,
    ],
  ];
  for (const [name, record, problem] of cases) {
    assert.throws(
      () => decodeRepartitionRecords([record], origin),
      (error) => {
        assert.ok(isStreamError(error, 'ENG_REPARTITION_RECORD_INVALID'), name);
        assert.match(error.message, /repartition topic "job-repartition-0", partition 4, offset 41/, name);
        assert.match(error.message, problem, name);
        assert.deepEqual(error.details, { topic: TOPIC, partition: 4, offset: 41 });
        return true;
      },
    );
  }
  const { offset: _, ...withoutOffset } = { ...good, value: Buffer.from([0xff]) };
  assert.throws(
    () => decodeRepartitionRecords([withoutOffset]),
    /a record in a repartition topic cannot be read/,
  );
});

test('batch records: one per partition, in order, event times kept, big ones split, culprits named', () => {
  const encoder = new RepartitionEncoder(1, TOPIC);
  const values = ['a', 'b', 'c', 'd', 'e'];
  const times = [10, Number.NaN, -5, 2.5, 40];
  const records = encoder.dataBatches(batchOf(values, times), [2, 0, 2, 2, 0]);
  assert.deepEqual(
    records.map((r) => r.partition),
    [2, 0],
  );
  const decode = (partition: number) =>
    decodeRepartitionRecords(roundTrip(records.filter((r) => r.partition === partition).map((r) => r.record)))
      .batch;
  assert.deepEqual(decode(2), { values: ['a', 'c', 'd'], timestamps: [10, -5, 2.5] });
  assert.deepEqual(decode(0), { values: ['b', 'e'], timestamps: [Number.NaN, 40] });
  assert.equal(records[0]?.record.timestamp, 10, 'the newest Kafka-valid event time');

  // A control record between two batches stays between their elements.
  const mark = encoder.watermark(30);
  const [first, second] = [
    encoder.dataBatches(batchOf(['x', 'y'], [1, 2]), [0, 0])[0]!.record,
    encoder.dataBatches(batchOf(['z'], [3]), [0])[0]!.record,
  ];
  const decoded = decodeRepartitionRecords(roundTrip([first, mark, second]));
  assert.deepEqual(decoded.batch.values, ['x', 'y', 'z']);
  assert.deepEqual(decoded.controls, [{ at: 2, event: { kind: 'watermark', writer: 1, time: 30 } }]);

  // Over 512 KiB of values for one partition: split into records that each stay under it.
  const big = Array.from({ length: 6 }, (_, i) => 'x'.repeat(200_000) + i);
  const split = encoder.dataBatches(
    batchOf(
      big,
      big.map((_, i) => i),
    ),
    big.map(() => 1),
  );
  assert.ok(split.length >= 3, `${split.length} records`);
  assert.ok(split.every((r) => (r.record.value?.length ?? 0) <= 512 * 1024));
  assert.deepEqual(decodeRepartitionRecords(roundTrip(split.map((r) => r.record))).batch.values, big);

  class Reading {
    celsius = 20;
  }
  const refuse = (value: unknown) => () => encoder.dataBatches(batchOf([{ ok: 1 }, value], [1, 2]), [0, 0]);
  assert.throws(refuse(new Reading()), /record 1 of a batch .* instance of class Reading/);
  assert.throws(refuse({ f: () => 1 }), /record 1 of a batch .* record\.f is a function/);
});

test('a batch record whose value is not a batch is refused with its place', () => {
  const [good] = new RepartitionEncoder(0).dataBatches(batchOf([1], [1]), [0]);
  const fetched = roundTrip([{ ...good!.record, value: Buffer.from([0xff, 0x0f, 0x49, 0x02]) }], 9);
  assert.throws(
    () => decodeRepartitionRecords(fetched, { topic: TOPIC, partition: 0 }),
    (error) =>
      isStreamError(error, 'ENG_REPARTITION_RECORD_INVALID') &&
      /not a batch of elements and event times/.test(error.message) &&
      /offset 9/.test(error.message),
  );
});
