import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../../common/errors.ts';
import { MAX_TIMESTAMP, ManualClock } from '../../common/time.ts';
import { batchOf } from '../batch.ts';
import { decodeRepartitionRecords, RepartitionEncoder } from './repartition-records.ts';
import { type PartitionRecord, WatermarkPublisher, WriterWatermarks } from './writer-watermarks.ts';

const wm = (writer: number, time: number) => ({ kind: 'watermark', writer, time }) as const;
const idle = (writer: number, flag: boolean) => ({ kind: 'idle', writer, idle: flag }) as const;
const end = (writer: number) => ({ kind: 'end', writer }) as const;

test('the partition watermark is the minimum over writers; one not heard from holds it back', () => {
  const partition = new WriterWatermarks(3);
  assert.equal(partition.watermark, Number.NEGATIVE_INFINITY);
  assert.equal(partition.apply(wm(0, 100)), undefined);
  assert.equal(partition.apply(wm(2, 50)), undefined, 'writer 1 is still unknown');
  assert.equal(partition.watermark, Number.NEGATIVE_INFINITY);
  assert.equal(partition.apply(wm(1, 70)), 50);
  assert.equal(partition.apply(wm(2, 200)), 70);
  assert.equal(partition.apply(wm(1, 300)), 100);
  assert.equal(partition.watermark, 100);
});

test('an older watermark record read again changes nothing', () => {
  const partition = new WriterWatermarks(2);
  partition.apply(wm(0, 100));
  assert.equal(partition.apply(wm(0, 40)), undefined, 'a replay of an older record of writer 0');
  assert.equal(partition.apply(wm(1, 150)), 100, 'writer 0 is still at 100, not 40');
  assert.equal(partition.apply(wm(1, 60)), undefined, 'the partition never goes back either');
  assert.equal(partition.watermark, 100);
  assert.equal(partition.apply(wm(0, 120)), 120);
});

test('idle writers do not hold the partition back; when all are idle it is idle and stays', () => {
  const partition = new WriterWatermarks(3);
  partition.apply(wm(0, 100));
  partition.apply(idle(1, true));
  assert.equal(partition.apply(idle(2, true)), 100, 'writers 1 and 2 idle, even never heard from');
  assert.equal(partition.isIdle, false);
  assert.equal(partition.apply(idle(0, true)), undefined);
  assert.equal(partition.isIdle, true);
  assert.equal(partition.watermark, 100);
  assert.equal(partition.apply(idle(1, false)), undefined, 'writer 1 back, still unknown: nothing moves');
  assert.equal(partition.watermark, 100, 'and nothing goes back');
  assert.equal(partition.isIdle, false);
  assert.equal(partition.apply(wm(1, 500)), 500);
});

test('ended writers count as MAX_TIMESTAMP; all ended gives MAX_TIMESTAMP', () => {
  const partition = new WriterWatermarks(2);
  partition.apply(wm(0, 10));
  assert.equal(partition.apply(end(1)), 10, 'an ended writer never heard from holds nothing back');
  assert.equal(partition.allEnded, false);
  assert.equal(partition.apply(idle(0, true)), undefined, 'an idle writer may still write: no MAX yet');
  assert.equal(partition.isIdle, true);
  assert.equal(partition.apply(end(0)), MAX_TIMESTAMP);
  assert.equal(partition.allEnded, true);
  assert.equal(partition.isIdle, false);
  assert.equal(partition.apply(wm(0, 20)), undefined, 'a replayed record after the end is ignored');
});

test('a writer beyond the task count is reported with the partition', () => {
  const partition = new WriterWatermarks(2, { topic: 'job-repartition-1', partition: 0 });
  assert.throws(
    () => partition.apply(wm(2, 1)),
    (e) =>
      isStreamError(e, 'ENG_REPARTITION_RECORD_INVALID') &&
      /writer task 2, but the job has 2/.test(e.message),
  );
});

test('a restored reader continues from its snapshot and refuses one of another task count', () => {
  const partition = new WriterWatermarks(2);
  partition.apply(wm(0, 100));
  partition.apply(idle(1, true));
  const saved = structuredClone(partition.snapshot());
  const restored = new WriterWatermarks(2);
  restored.restore(saved);
  assert.equal(restored.watermark, 100);
  assert.equal(restored.apply(wm(0, 90)), undefined, 'a replayed older record');
  assert.equal(restored.apply(wm(0, 130)), 130, 'writer 1 is still idle after the restore');
  assert.throws(
    () => new WriterWatermarks(3).restore(saved),
    (e) => isStreamError(e, 'ENG_RESTORE_FAILED') && /saved for 2 writer tasks/.test(e.message),
  );
});

function published(records: PartitionRecord[]): { partitions: number[]; kinds: string[] } {
  const decoded = decodeRepartitionRecords(
    records.map(({ record }) => ({ ...record, timestamp: record.timestamp ?? 0 })),
  );
  return {
    partitions: records.map((r) => r.partition),
    kinds: decoded.controls.map(({ event }) =>
      event.kind === 'watermark' ? `wm ${event.time}` : event.kind === 'idle' ? `idle ${event.idle}` : 'end',
    ),
  };
}

test('the publisher writes a risen watermark to every partition at most once per interval', () => {
  const clock = new ManualClock(10_000);
  const publisher = new WatermarkPublisher({
    encoder: new RepartitionEncoder(1),
    partitions: 3,
    intervalMs: 200,
    clock,
  });
  assert.deepEqual(published(publisher.advance(1_000)), {
    partitions: [0, 1, 2],
    kinds: ['wm 1000', 'wm 1000', 'wm 1000'],
  });
  assert.deepEqual(publisher.advance(1_000), [], 'not risen');
  assert.deepEqual(publisher.advance(1_050), [], 'risen, but within the interval');
  assert.deepEqual(publisher.advance(1_080), []);
  assert.equal(publisher.dueAt, 10_200);
  clock.advance(199);
  assert.deepEqual(publisher.poll(), []);
  clock.advance(1);
  assert.deepEqual(published(publisher.poll()).kinds, ['wm 1080', 'wm 1080', 'wm 1080'], 'only the latest');
  assert.equal(publisher.dueAt, undefined);
  clock.advance(1_000);
  assert.deepEqual(publisher.poll(), [], 'nothing new to say');
  assert.deepEqual(publisher.advance(900), [], 'a lower watermark is never written');
  assert.deepEqual(published(publisher.advance(2_000)).kinds, ['wm 2000', 'wm 2000', 'wm 2000']);
});

test('idle changes are written at once and only when they change; end is written once', () => {
  const clock = new ManualClock(0);
  const publisher = new WatermarkPublisher({
    encoder: new RepartitionEncoder(0),
    partitions: 2,
    intervalMs: 1_000,
    clock,
  });
  assert.deepEqual(publisher.setIdle(false), [], 'a task starts active');
  assert.deepEqual(published(publisher.setIdle(true)).kinds, ['idle true', 'idle true']);
  assert.deepEqual(publisher.setIdle(true), []);
  assert.deepEqual(published(publisher.setIdle(false)).kinds, ['idle false', 'idle false']);
  publisher.advance(5);
  publisher.advance(6);
  assert.deepEqual(published(publisher.end()), { partitions: [0, 1], kinds: ['end', 'end'] });
  clock.advance(5_000);
  assert.deepEqual(
    [publisher.poll(), publisher.end(), publisher.advance(9), publisher.setIdle(true)],
    [[], [], [], []],
  );
});

test('what a publisher writes moves the watermark of the partition that reads it', () => {
  const clock = new ManualClock(0);
  const reader = new WriterWatermarks(2);
  const publishers = [0, 1].map(
    (task) =>
      new WatermarkPublisher({ encoder: new RepartitionEncoder(task), partitions: 1, intervalMs: 0, clock }),
  );
  const data = new RepartitionEncoder(0).data(batchOf(['x'], [7]), [3]);
  const marks = [...publishers[0].advance(7), ...publishers[1].advance(5)];
  const written = [...data, ...marks.map(({ record }) => record)];
  const { batch, controls } = decodeRepartitionRecords(
    written.map((r) => ({ ...r, timestamp: r.timestamp ?? 0 })),
  );
  assert.deepEqual(batch.values, ['x']);
  const rises = controls.map(({ event }) => reader.apply(event));
  assert.deepEqual(rises, [undefined, 5]);
});
