import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { executeJob } from './execute.ts';
import { MemoryConnectors } from './testing-support/memory-connectors.ts';
import { PlanBuilder, REBALANCE } from './testing-support/plan-builder.ts';

/** Lets every runnable task go as far as it can (the test's sources and sinks are in memory). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await setImmediate();
}

test('a slow sink stops the source from being polled once the channel is full, then lets it resume', async () => {
  const capacity = 2;
  const chunks = Array.from({ length: 40 }, (_, i) => ({ values: [i] }));
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks });
  const out = connectors.sink('out');
  out.pause();
  const b = new PlanBuilder({ channelCapacity: capacity });
  b.sink('out', b.source('numbers', numbers.descriptor), out.descriptor, { partitioning: REBALANCE });
  const job = executeJob(b.plan(), { connectors });

  await settle();
  // The sink holds one batch in its pending write, the channel `capacity` more; the source may have
  // polled one batch beyond that before it found the channel full.
  const pollsWhileBlocked = numbers.polls;
  assert.ok(pollsWhileBlocked <= capacity + 2, `the source was polled ${pollsWhileBlocked} times`);
  assert.ok(pollsWhileBlocked >= capacity + 1, `the source was polled only ${pollsWhileBlocked} times`);
  assert.equal(out.records.length, 1);

  await settle();
  assert.equal(numbers.polls, pollsWhileBlocked, 'the source kept being polled');

  out.resume();
  const result = await job.done;
  assert.deepEqual(
    out.values,
    chunks.map((_, i) => i),
  );
  assert.equal(numbers.polls, chunks.length + 1, 'every chunk, then the end');
  assert.equal(result.status, 'finished');
});

test('a slow sink chained to its source slows the source the same way', async () => {
  const chunks = Array.from({ length: 10 }, (_, i) => ({ values: [i] }));
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks });
  const out = connectors.sink('out');
  out.pause();
  const b = new PlanBuilder();
  b.sink(
    'out',
    b.map('same', b.source('numbers', numbers.descriptor), (x) => x),
    out.descriptor,
  );
  const job = executeJob(b.plan(), { connectors });

  await settle();
  assert.equal(numbers.polls, 1, 'the source was polled again while the chained sink was writing');

  out.resume();
  await job.done;
  assert.equal(out.records.length, 10);
});
