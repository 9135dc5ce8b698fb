import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamError } from '../../common/errors.ts';
import type { SinkDescriptor, SourceDescriptor } from '../../plan/connectors.ts';
import { keyed, PlanBuilder, REBALANCE } from '../testing-support/plan-builder.ts';
import { buildPhysicalGraph } from './physical-graph.ts';

const SOURCE: SourceDescriptor<unknown> = { connector: 'memory', config: {}, bounded: true };
const SINK: SinkDescriptor<unknown> = { connector: 'memory', config: {} };

test('forward edges between equal parallelisms chain; keyed, rebalance and side-output edges do not', () => {
  const b = new PlanBuilder({ parallelism: 2 });
  const src = b.source('src', SOURCE);
  const parse = b.map('parse', src, (x) => x);
  const valid = b.filter('valid', parse, () => true);
  const counted = b.map('count', { from: valid, partitioning: keyed((x) => x) }, (x) => x);
  b.sink('print', counted, SINK);
  b.sink('spread', { from: valid, partitioning: REBALANCE }, SINK);
  b.sink('side', { from: parse, sideOutput: 'late' }, SINK);

  const graph = buildPhysicalGraph(b.plan());

  assert.deepEqual(
    graph.tasks.map((task) => task.name),
    ['src -> parse -> valid', 'count -> print', 'spread', 'side'],
  );
  assert.deepEqual(
    graph.exchanges.map((e) => `${e.from.name}=>${e.to.name}:${e.mode}`),
    ['valid=>count:keyed', 'valid=>spread:rebalance', 'parse=>side:forward'],
  );
});

test('one operator may feed several chained operators (the task is a tree)', () => {
  const b = new PlanBuilder();
  const src = b.source('src', SOURCE);
  b.sink('a', src, SINK);
  b.sink('b', src, SINK);
  const graph = buildPhysicalGraph(b.plan());
  assert.deepEqual(
    graph.tasks.map((task) => task.name),
    ['src -> a -> b'],
  );
});

test('a forward edge across a parallelism change is carried as rebalance and breaks the chain', () => {
  const b = new PlanBuilder({ parallelism: 4 });
  const src = b.source('src', SOURCE, { parallelism: 1 });
  b.sink(
    'out',
    b.map('wide', src, (x) => x),
    SINK,
  );
  const graph = buildPhysicalGraph(b.plan());
  assert.deepEqual(
    graph.tasks.map((task) => [task.name, task.parallelism]),
    [
      ['src', 1],
      ['wide -> out', 4],
    ],
  );
  assert.equal(graph.exchanges[0].mode, 'rebalance');
});

test('an unusable plan is rejected with every problem listed', () => {
  const b = new PlanBuilder({ maxParallelism: 8, batchSize: 0 });
  const src = b.source('src', SOURCE, { watermarks: { kind: 'bounded-out-of-orderness' } });
  b.map('too wide', src, (x) => x, { parallelism: 9 });
  b.add({
    kind: 'keyed-reduce',
    name: 'sum',
    fn: (a) => a,
    inputs: [{ from: src, partitioning: { kind: 'forward' }, port: 0 }],
  });
  b.add({ kind: 'map', name: 'orphan', fn: (x) => x, inputs: [] });
  b.add({
    kind: 'map',
    name: 'ahead',
    fn: (x) => x,
    inputs: [{ from: 99, partitioning: { kind: 'forward' }, port: 0 }],
  });

  assert.throws(
    () => buildPhysicalGraph(b.plan()),
    (error: StreamError) => {
      assert.equal(error.code, 'ENG_INVALID_JOB');
      const problems = error.details.problems as string[];
      assert.equal(problems.length, 6, problems.join('\n'));
      assert.match(error.message, /batchSize must be a whole number/);
      assert.match(error.message, /"src" \(#0\): bounded out-of-orderness needs maxOutOfOrderness/);
      assert.match(error.message, /"too wide" \(#1\) has parallelism 9, above maxParallelism 8/);
      assert.match(error.message, /"sum" \(#2\) needs keyed input \(keyBy\) but reads a 'forward' edge/);
      assert.match(error.message, /"orphan" \(#3\) has no input/);
      assert.match(error.message, /"ahead" \(#4\) reads node #99, which does not come before it/);
      return true;
    },
  );
});
