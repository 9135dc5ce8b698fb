import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamError } from '../common/errors.ts';
import { executeJob } from './execute.ts';
import { MemoryConnectors } from './testing-support/memory-connectors.ts';
import { PlanBuilder, REBALANCE } from './testing-support/plan-builder.ts';

test('a throwing user function fails the job with operator, element and cause, after closing everything', async () => {
  const connectors = new MemoryConnectors();
  const orders = connectors.source('orders', {
    chunks: [
      { split: 'p0', values: [{ id: 1 }, { id: 2 }] },
      { split: 'p1', values: [{ id: 3 }, { id: 4 }] },
    ],
  });
  const live = connectors.source('live', { bounded: false });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ parallelism: 2 });
  const all = b.union('all', [b.source('orders', orders.descriptor), b.source('live', live.descriptor)]);
  const parse = b.map('parse order', { from: all, partitioning: REBALANCE }, (value) => {
    if ((value as { id: number }).id === 3) throw new TypeError('boom: no customer');
    return value;
  });
  b.sink('out', parse, out.descriptor);

  const job = executeJob(b.plan(), { connectors });
  const error = await job.done.then(
    () => assert.fail('the job should fail'),
    (e: unknown) => e,
  );

  assert.ok(error instanceof StreamError);
  assert.equal(error.code, 'ENG_USER_FUNCTION_FAILED');
  assert.match(error.message, /"parse order"/);
  assert.match(error.message, /\{"id":3\}/);
  assert.match(error.message, /boom: no customer/);
  assert.ok(error.cause instanceof TypeError);
  for (const source of [orders, live]) {
    assert.equal(source.opened, 2);
    assert.equal(source.closed, 2);
  }
  assert.equal(out.opened, 2);
  assert.equal(out.closed, 2);
  assert.equal(out.flushed, 0, 'a failed job flushes nothing');
});

test('cancel stops an unbounded job, closes everything and resolves as cancelled', async () => {
  const connectors = new MemoryConnectors();
  const events = connectors.source('events', { bounded: false });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ parallelism: 2 });
  b.sink(
    'out',
    b.map('upper', b.source('events', events.descriptor), (x) => String(x).toUpperCase()),
    out.descriptor,
    {
      partitioning: REBALANCE,
    },
  );
  const job = executeJob(b.plan(), { connectors, jobId: 'events-1' });
  assert.equal(job.jobId, 'events-1');

  events.push({ values: ['a', 'b'] });
  await out.waitFor(2);
  await job.cancel();

  const result = await job.done;
  assert.equal(result.status, 'cancelled');
  assert.deepEqual((out.values as string[]).sort(), ['A', 'B']);
  assert.equal(events.closed, 2);
  assert.equal(out.closed, 2);
  assert.equal(result.metrics.operators.find((m) => m.name === 'upper' && m.subtask === 0)?.recordsIn, 2);
  assert.deepEqual(
    out.contexts.map((ctx) => ctx.jobId),
    ['events-1', 'events-1'],
  );
});

test('aborting the signal cancels the job, also while a sink write is pending', async () => {
  const connectors = new MemoryConnectors();
  const events = connectors.source('events', { bounded: false });
  const out = connectors.sink('out');
  out.pause();
  const b = new PlanBuilder();
  b.sink('out', b.source('events', events.descriptor), out.descriptor);
  const abort = new AbortController();
  const job = executeJob(b.plan(), { connectors, signal: abort.signal });

  events.push({ values: [1] });
  await out.waitFor(1);
  abort.abort();

  assert.equal((await job.done).status, 'cancelled');
  assert.equal(events.closed, 1);
  assert.equal(out.closed, 1);
});

test('a sink that throws something other than a StreamError fails the job with ENG_INTERNAL naming the task', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks: [{ values: [1, 2, 3] }] });
  const out = connectors.sink('out');
  out.failOn = (value) => value === 2;
  const b = new PlanBuilder();
  b.sink('out', b.source('numbers', numbers.descriptor), out.descriptor, { partitioning: REBALANCE });

  await assert.rejects(executeJob(b.plan(), { connectors }).done, (error: StreamError) => {
    assert.equal(error.code, 'ENG_INTERNAL');
    assert.match(error.message, /task "out \(1\/1\)" failed unexpectedly: sink refused 2/);
    return true;
  });
  assert.equal(numbers.closed, 1);
  assert.equal(out.closed, 1);
});

test('a throwing open() fails the job naming the operator and closes what was opened', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks: [{ values: [1] }] });
  const out = connectors.sink('out');
  const b = new PlanBuilder();
  const checked = b.process('checked', b.source('numbers', numbers.descriptor), {
    open: () => {
      throw new Error('config file missing');
    },
    processElement: (value, _ctx, collector) => collector.collect(value),
  });
  b.sink('out', checked, out.descriptor);

  await assert.rejects(executeJob(b.plan(), { connectors }).done, (error: StreamError) => {
    assert.equal(error.code, 'ENG_USER_FUNCTION_FAILED');
    assert.match(error.message, /operator "checked" failed in open\(\): config file missing/);
    return true;
  });
  assert.equal(out.closed, out.opened);
});
