import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessContext } from '../plan/functions.ts';
import { outputTag } from '../plan/output-tag.ts';
import { executeJob } from './execute.ts';
import { MemoryConnectors } from './testing-support/memory-connectors.ts';
import { PlanBuilder, REBALANCE } from './testing-support/plan-builder.ts';

test('map, filter and flatMap chained in one task give the expected records and timestamps', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', {
    chunks: [
      { values: [1, 2, 3], timestamps: [10, 20, 30] },
      { values: [4, 5], timestamps: [40, 50] },
    ],
  });
  const out = connectors.sink('out');
  const b = new PlanBuilder();
  const doubled = b.map('double', b.source('numbers', numbers.descriptor), (x) => (x as number) * 2);
  const big = b.filter('big', doubled, (x) => (x as number) > 4);
  const pairs = b.flatMap('twice', big, (x, collector) => {
    collector.collect(x);
    collector.collect(-(x as number));
  });
  b.sink('out', pairs, out.descriptor);

  const result = await executeJob(b.plan(), { connectors }).done;

  assert.equal(result.status, 'finished');
  assert.deepEqual(out.values, [6, -6, 8, -8, 10, -10]);
  assert.deepEqual(
    out.records.map((r) => r.timestamp),
    [30, 30, 40, 40, 50, 50],
  );
  const byName = new Map(result.metrics.operators.map((m) => [m.name, m]));
  assert.equal(byName.get('numbers')?.recordsOut, 5);
  assert.equal(byName.get('double')?.recordsIn, 5);
  assert.equal(byName.get('big')?.recordsOut, 3);
  assert.equal(byName.get('twice')?.recordsOut, 6);
  assert.equal(byName.get('out')?.recordsIn, 6);
  assert.equal(out.flushed, 1);
  assert.equal(out.closed, 1);
  assert.equal(numbers.closed, 1);
});

test('a source emits at most batchSize values per batch', async () => {
  const connectors = new MemoryConnectors();
  const letters = connectors.source('letters', { chunks: [{ values: [...'abcdefghij'] }] });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ batchSize: 3 });
  b.sink('out', b.source('letters', letters.descriptor), out.descriptor);

  await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual(out.batchSizes, [3, 3, 3, 1]);
  assert.equal(out.values.join(''), 'abcdefghij');
});

test('process emits main and side outputs; a side-output edge reads only its tag', async () => {
  const connectors = new MemoryConnectors();
  const words = connectors.source('words', {
    chunks: [{ values: ['ok', 'BAD', 'fine', 'WORSE'], timestamps: [1, 2, 3, 4] }],
  });
  const good = connectors.sink('good');
  const rejects = connectors.sink('rejects');
  const rejected = outputTag<string>('rejected');
  const opened: number[] = [];
  let closed = 0;
  const b = new PlanBuilder();
  const route = b.process('route', b.source('words', words.descriptor), {
    open: (ctx) => {
      opened.push(ctx.subtaskIndex);
    },
    processElement(value, ctx: ProcessContext, out) {
      const word = value as string;
      if (word === word.toUpperCase()) ctx.output(rejected, `${word}@${ctx.timestamp}`);
      else out.collect(word);
    },
    close: () => {
      closed++;
    },
  });
  b.sink('good', route, good.descriptor);
  b.sink('rejects', { from: route, sideOutput: rejected.id }, rejects.descriptor);

  await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual(good.values, ['ok', 'fine']);
  assert.deepEqual(rejects.values, ['BAD@2', 'WORSE@4']);
  assert.deepEqual(
    rejects.records.map((r) => r.timestamp),
    [2, 4],
  );
  assert.deepEqual(opened, [0]);
  assert.equal(closed, 1);
});

test('union passes on every record of every input', async () => {
  const connectors = new MemoryConnectors();
  const a = connectors.source('a', { chunks: [{ values: [1, 2] }, { values: [3] }] });
  const c = connectors.source('c', { chunks: [{ values: [10, 20] }] });
  const out = connectors.sink('out');
  const b = new PlanBuilder();
  const all = b.union('all', [b.source('a', a.descriptor), b.source('c', c.descriptor)]);
  b.sink('out', all, out.descriptor);

  const result = await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual(
    (out.values as number[]).sort((x, y) => x - y),
    [1, 2, 3, 10, 20],
  );
  assert.equal(result.metrics.operators.find((m) => m.name === 'all')?.recordsIn, 5);
});

test('co-process sends each input to its own method', async () => {
  const connectors = new MemoryConnectors();
  const left = connectors.source('left', { chunks: [{ values: ['a', 'b'] }] });
  const right = connectors.source('right', { chunks: [{ values: [1, 2, 3] }] });
  const out = connectors.sink('out');
  const b = new PlanBuilder();
  const joined = b.coProcess(
    'tag inputs',
    b.source('left', left.descriptor),
    b.source('right', right.descriptor),
    {
      processElement1: (value, _ctx, collector) => collector.collect(`L:${value}`),
      processElement2: (value, _ctx, collector) => collector.collect(`R:${value}`),
    },
  );
  b.sink('out', joined, out.descriptor);

  await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual((out.values as string[]).sort(), ['L:a', 'L:b', 'R:1', 'R:2', 'R:3']);
});

test('a job with a rebalance exchange between two tasks finishes with every record', async () => {
  const connectors = new MemoryConnectors();
  const values = Array.from({ length: 100 }, (_, i) => i);
  const numbers = connectors.source('numbers', { chunks: [{ values }] });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ batchSize: 7, channelCapacity: 2 });
  const plusOne = b.map(
    'plus one',
    { from: b.source('numbers', numbers.descriptor), partitioning: REBALANCE },
    (x) => (x as number) + 1,
  );
  b.sink('out', plusOne, out.descriptor);

  await executeJob(b.plan(), { connectors }).done;

  assert.deepEqual(
    out.values,
    values.map((x) => x + 1),
  );
});

test('a plan with parallelism above maxParallelism is rejected with ENG_INVALID_JOB', async () => {
  const connectors = new MemoryConnectors();
  const numbers = connectors.source('numbers', { chunks: [] });
  const out = connectors.sink('out');
  const b = new PlanBuilder({ maxParallelism: 4 });
  b.sink(
    'out',
    b.map('wide', b.source('numbers', numbers.descriptor), (x) => x, { parallelism: 8 }),
    out.descriptor,
  );

  await assert.rejects(executeJob(b.plan(), { connectors }).done, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ENG_INVALID_JOB');
    assert.match(error.message, /"wide".*parallelism 8, above maxParallelism 4/);
    return true;
  });
  assert.equal(numbers.opened, 0);
});
