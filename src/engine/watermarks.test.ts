import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, MIN_TIMESTAMP } from '../common/time.ts';
import type { ProcessFunction } from '../plan/functions.ts';
import type { WatermarkStrategySpec } from '../plan/watermarks.ts';
import { executeJob } from './execute.ts';
import { MemoryConnectors, type MemorySink, type MemorySource } from './testing-support/memory-connectors.ts';
import { PlanBuilder, REBALANCE } from './testing-support/plan-builder.ts';

/** An open source whose first chunk announces split 's', so it counts as active from the start. */
const ANNOUNCED = { bounded: false, chunks: [{ split: 's' }] };

/** Emits "value@watermark": what the operator's current watermark was when the element arrived. */
const observe: ProcessFunction<unknown, unknown> = {
  processElement(value, ctx, out) {
    const watermark = ctx.currentWatermark();
    out.collect(`${value}@${watermark === MIN_TIMESTAMP ? 'MIN' : watermark}`);
  },
};

/** Pushes one record and waits until the sink has it; returns what it observed. */
async function probe(source: MemorySource, sink: MemorySink, split: string, value: string, ts: number) {
  const count = sink.records.length;
  source.push({ split, values: [value], timestamps: [ts] });
  await sink.waitFor(count + 1);
  return sink.values[count] as string;
}

/** Waits until the source loop has gone round at least once more (so it checked its watermark). */
async function loopOnce(source: MemorySource): Promise<void> {
  await source.waitForPolls(source.polls + 2);
}

test('a source emits the minimum watermark over its active splits, every interval, never decreasing', async () => {
  const clock = new ManualClock(1000);
  const connectors = new MemoryConnectors();
  const events = connectors.source('events', { bounded: false });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ clock, watermarkInterval: 10 });
  const watermarks: WatermarkStrategySpec<unknown> = {
    kind: 'bounded-out-of-orderness',
    maxOutOfOrderness: 10,
    idleTimeout: 500,
  };
  const source = b.source('events', events.descriptor, { watermarks });
  b.sink('out', b.process('observe', source, observe), out.descriptor);
  const job = executeJob(b.plan(), { connectors });

  events.push(
    { split: 'a', values: ['a1'], timestamps: [5000] },
    { split: 'b', values: ['b1'], timestamps: [3000] },
  );
  await out.waitFor(2);
  assert.deepEqual(out.values, ['a1@MIN', 'b1@MIN'], 'no watermark before the first interval has passed');

  clock.advance(100); // clock 1100: the check emits min(5000, 3000) - 10 - 1
  await loopOnce(events);
  assert.equal(await probe(events, out, 'a', 'a2', 6000), 'a2@2989');

  clock.advance(450); // clock 1550: b silent for 550 ms is idle, a (last records at 1100) is not
  await loopOnce(events);
  assert.equal(await probe(events, out, 'a', 'a3', 6001), 'a3@5989');

  // b has records again and holds the minimum back, but the watermark never goes down.
  assert.equal(await probe(events, out, 'b', 'b2', 4000), 'b2@5989');
  clock.advance(10);
  await loopOnce(events);
  assert.equal(await probe(events, out, 'a', 'a4', 7000), 'a4@5989');

  // An ended split no longer counts.
  events.push({ split: 'b', ended: true });
  clock.advance(10);
  await loopOnce(events);
  assert.equal(await probe(events, out, 'a', 'a5', 7001), 'a5@6989');

  events.end();
  assert.equal((await job.done).status, 'finished');
});

test('a task takes the minimum watermark over its inputs and forwards it only when it rises', async () => {
  const connectors = new MemoryConnectors();
  const left = connectors.source('left', ANNOUNCED);
  const right = connectors.source('right', ANNOUNCED);
  const out = connectors.sink('out');
  const b = new PlanBuilder({ watermarkInterval: 0 });
  const monotonous: WatermarkStrategySpec<unknown> = { kind: 'monotonous' };
  const both = b.union('both', [
    b.source('left', left.descriptor, { watermarks: monotonous }),
    b.source('right', right.descriptor, { watermarks: monotonous }),
  ]);
  b.sink('out', b.process('observe', both, observe), out.descriptor);
  const job = executeJob(b.plan(), { connectors });

  await probe(left, out, 's', 'l1', 1000);
  await probe(right, out, 's', 'r1', 100);
  // A record on each channel behind its watermark makes sure the union has read both watermarks.
  await probe(left, out, 's', 'l-probe', 1000);
  await probe(right, out, 's', 'r-probe', 100);
  assert.equal(await probe(left, out, 's', 'l2', 1001), 'l2@99');

  await probe(right, out, 's', 'r2', 2000);
  await probe(left, out, 's', 'l-probe', 1001);
  await probe(right, out, 's', 'r-probe', 2000);
  assert.equal(await probe(left, out, 's', 'l3', 1001), 'l3@1000');

  left.end();
  right.end();
  await job.done;
});

test('an idle input stops holding back the watermark until it has records again', async () => {
  const clock = new ManualClock(0);
  const connectors = new MemoryConnectors();
  const busy = connectors.source('busy', ANNOUNCED);
  const quiet = connectors.source('quiet', ANNOUNCED);
  const out = connectors.sink('out');
  const b = new PlanBuilder({ clock, watermarkInterval: 0 });
  const watermarks: WatermarkStrategySpec<unknown> = { kind: 'monotonous', idleTimeout: 50 };
  const both = b.union('both', [
    b.source('busy', busy.descriptor, { watermarks }),
    b.source('quiet', quiet.descriptor, { watermarks }),
  ]);
  b.sink('out', b.process('observe', both, observe), out.descriptor);
  const job = executeJob(b.plan(), { connectors });

  await probe(busy, out, 's', 'b1', 1000);
  await probe(quiet, out, 's', 'q1', 100);
  await probe(busy, out, 's', 'b-probe', 1000);
  await probe(quiet, out, 's', 'q-probe', 100);
  assert.equal(await probe(busy, out, 's', 'b2', 1001), 'b2@99');

  clock.advance(100);
  await probe(busy, out, 's', 'b3', 1001); // busy stays active
  await loopOnce(quiet); // quiet notices it is idle and says so
  let seen = '';
  for (let attempt = 0; attempt < 10 && seen !== 'b-probe@1000'; attempt++) {
    seen = await probe(busy, out, 's', 'b-probe', 1001);
    assert.ok(['b-probe@99', 'b-probe@1000'].includes(seen), seen);
  }
  assert.equal(seen, 'b-probe@1000', 'the idle input still held the watermark back');

  // quiet is active again with an older watermark: the union's watermark does not go back, and
  // quiet holds it where it is although busy moves on.
  await probe(quiet, out, 's', 'q2', 200);
  await probe(busy, out, 's', 'b4', 5000);
  await probe(quiet, out, 's', 'q-probe', 200);
  assert.equal(await probe(busy, out, 's', 'b5', 5000), 'b5@1000');

  busy.end();
  quiet.end();
  await job.done;
});

test('assignTimestampsAndWatermarks stamps mid-stream, emits watermarks and skips bad timestamps', async () => {
  const connectors = new MemoryConnectors();
  const readings = connectors.source('readings', {
    chunks: [{ values: [{ at: 10 }, { at: 30 }] }, { values: [{ at: 'soon' }] }, { values: [{ at: 40 }] }],
  });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ watermarkInterval: 0 });
  const stamped = b.assignWatermarks(
    'stamp',
    b.source('readings', readings.descriptor),
    {
      kind: 'bounded-out-of-orderness',
      maxOutOfOrderness: 5,
      timestampAssigner: (value) => Number((value as { at: unknown }).at),
    },
    { kind: 'skip' },
  );
  const label = b.map('label', stamped, (value) => (value as { at: number }).at);
  b.sink('out', b.process('observe', label, observe), out.descriptor);

  const result = await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual(out.values, ['10@MIN', '30@MIN', '40@24']);
  assert.deepEqual(
    out.records.map((r) => r.timestamp),
    [10, 30, 40],
  );
  assert.equal(result.metrics.badRecords, 1);
  assert.equal(result.metrics.skipped, 1);
});

test('a custom watermark generator decides the source watermark', async () => {
  const connectors = new MemoryConnectors();
  const ticks = connectors.source('ticks', {
    chunks: [
      { values: ['x'], timestamps: [100] },
      { values: ['y'], timestamps: [50] },
    ],
  });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ watermarkInterval: 0 });
  const source = b.source('ticks', ticks.descriptor, {
    watermarks: {
      kind: 'custom',
      createGenerator: () => {
        let last: number | undefined;
        return {
          onEvent: (_value, timestamp) => {
            last = timestamp * 10;
          },
          currentWatermark: () => last,
        };
      },
    },
  });
  b.sink('out', b.process('observe', source, observe), out.descriptor);

  await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual(out.values, ['x@MIN', 'y@1000']);
});

for (const partitioning of [undefined, REBALANCE]) {
  const where = partitioning === undefined ? 'chained to the source' : 'in its own task';
  test(`processing-time callbacks run when the clock reaches them (${where})`, async () => {
    const clock = new ManualClock(0);
    const connectors = new MemoryConnectors();
    const events = connectors.source('events', ANNOUNCED);
    const out = connectors.sink('out');
    const b = new PlanBuilder({ clock, watermarkInterval: 100 });
    const stamped = b.assignWatermarks(
      'stamp',
      { from: b.source('events', events.descriptor), partitioning },
      {
        kind: 'monotonous',
      },
    );
    b.sink('out', b.process('observe', stamped, observe), out.descriptor);
    const job = executeJob(b.plan(), { connectors });

    assert.equal(await probe(events, out, 's', 'e1', 1000), 'e1@MIN');
    clock.advance(99);
    assert.equal(await probe(events, out, 's', 'e2', 1000), 'e2@MIN', 'the interval has not passed yet');
    clock.advance(1);
    assert.equal(await probe(events, out, 's', 'e3', 2000), 'e3@999');
    clock.advance(100);
    assert.equal(await probe(events, out, 's', 'e4', 2000), 'e4@1999');

    events.end();
    await job.done;
  });
}
