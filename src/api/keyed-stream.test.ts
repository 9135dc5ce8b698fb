import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SinkDescriptor } from '../plan/connectors.ts';
import type { PlanNode } from '../plan/nodes.ts';
import { createEnvironment } from './environment.ts';

interface Sale {
  readonly shop: string;
  readonly amount: number;
}

const sink: SinkDescriptor<unknown> = { connector: 'test-sink', config: {} };
const sales: Sale[] = [
  { shop: 'a', amount: 1 },
  { shop: 'b', amount: 2 },
];

test('operators after keyBy read the stream partitioned by the key', () => {
  const env = createEnvironment({ parallelism: 2 });
  const byShop = env.fromElements(...sales).keyBy((sale) => sale.shop);
  byShop.reduce((a, b) => ({ shop: a.shop, amount: a.amount + b.amount })).sinkTo(sink);
  byShop
    .aggregate({ createAccumulator: () => 0, add: (sale, sum) => sum + sale.amount, getResult: (sum) => sum })
    .sinkTo(sink);
  byShop.process<string>({ processElement: (_sale, ctx, out) => out.collect(ctx.key) }).sinkTo(sink);
  byShop.map((sale) => sale.amount).sinkTo(sink);
  byShop
    .rebalance()
    .map((sale) => sale.amount)
    .sinkTo(sink);

  const nodes = env.toPlan().nodes;
  const readers = nodes.filter((node) => node.inputs[0]?.from === 0);
  assert.deepEqual(
    readers.map((node) => [node.kind, node.name, node.inputs[0]?.partitioning.kind]),
    [
      ['keyed-reduce', 'Keyed Reduce', 'keyed'],
      ['keyed-aggregate', 'Keyed Aggregate', 'keyed'],
      ['keyed-process', 'Keyed Process', 'keyed'],
      ['map', 'Map', 'keyed'],
      ['map', 'Map', 'rebalance'],
    ],
  );
  const edge = readers[0]?.inputs[0];
  assert.equal(edge?.partitioning.kind === 'keyed' && edge.partitioning.key(sales[1]), 'b');
});

test('keyBy on a keyed stream re-keys; sum adds up a field per key', () => {
  const env = createEnvironment();
  env
    .fromElements(...sales)
    .keyBy((sale) => sale.shop)
    .keyBy((sale) => sale.amount)
    .sum('amount')
    .sinkTo(sink);
  const reduce = env.toPlan().nodes[1] as PlanNode;
  assert.equal(reduce.kind, 'keyed-reduce');
  const edge = reduce.inputs[0];
  assert.equal(edge?.partitioning.kind === 'keyed' && edge.partitioning.key(sales[1]), 2);
  if (reduce.kind !== 'keyed-reduce') return;
  assert.deepEqual(
    reduce.fn({ shop: 'a', amount: 1, note: 'first' }, { shop: 'a', amount: 4, note: 'second' }),
    {
      shop: 'a',
      amount: 5,
      note: 'first',
    },
  );
  assert.throws(
    () => reduce.fn({ amount: '1' }, { amount: 2 }),
    /sum\('amount'\): field "amount" must be a number/,
  );
});

test('rolling aggregations check their functions', () => {
  const keyed = createEnvironment()
    .fromElements(...sales)
    .keyBy((sale) => sale.shop);
  const invalid = (message: RegExp) => ({ code: 'ENG_INVALID_ARGUMENT', message });
  assert.throws(() => keyed.reduce(undefined as never), invalid(/the reduce function must be a function/));
  assert.throws(
    () => keyed.aggregate({ createAccumulator: () => 0 } as never),
    invalid(/an AggregateFunction has no add\(\) method/),
  );
  assert.throws(
    () => keyed.process({ onTimer: () => {} } as never),
    invalid(/a KeyedProcessFunction has no processElement\(\) method/),
  );
  assert.throws(() => keyed.sum('' as never), invalid(/the field to sum must be a non-empty string/));
});
