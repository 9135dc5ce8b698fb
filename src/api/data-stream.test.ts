import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SinkDescriptor, SourceDescriptor } from '../plan/connectors.ts';
import type { Collector, ProcessContext } from '../plan/functions.ts';
import type { InputEdge, PlanNode } from '../plan/nodes.ts';
import { outputTag } from '../plan/output-tag.ts';
import { WatermarkStrategy } from './builders/watermark-strategy.ts';
import { createEnvironment } from './environment.ts';

const sink: SinkDescriptor<unknown> = { connector: 'test-sink', config: { path: 'out' } };
const source: SourceDescriptor<string> = { connector: 'test-source', config: {}, bounded: false };

function setup(parallelism = 1) {
  const env = createEnvironment({ parallelism });
  const lines = env.fromSource(source, WatermarkStrategy.noWatermarks(), 'lines');
  return { env, lines };
}

const invalid = (message: RegExp) => ({ code: 'ENG_INVALID_ARGUMENT', message });

function collect<T>(): Collector<T> & { values: T[] } {
  const values: T[] = [];
  return { values, collect: (value) => values.push(value) };
}

function plusAndMinus(n: number, out: Collector<number>): void {
  out.collect(n);
  out.collect(-n);
}

test('transformations add nodes in construction order with default names and the user functions', () => {
  const { env, lines } = setup();
  lines
    .map((line) => line.length)
    .filter((n) => n > 1)
    .flatMap(plusAndMinus)
    .sinkTo(sink);
  const plan = env.toPlan();
  assert.deepEqual(
    plan.nodes.map((node) => [node.id, node.kind, node.name]),
    [
      [0, 'source', 'Source: lines'],
      [1, 'map', 'Map'],
      [2, 'filter', 'Filter'],
      [3, 'flat-map', 'Flat Map'],
      [4, 'sink', 'Sink: test-sink'],
    ],
  );
  const [, map, filter, flatMap] = plan.nodes as [PlanNode, PlanNode, PlanNode, PlanNode];
  assert.equal(map.kind === 'map' && map.fn('abc'), 3);
  assert.equal(filter.kind === 'filter' && filter.fn(1), false);
  const out = collect<unknown>();
  if (flatMap.kind === 'flat-map') flatMap.fn(5, out);
  assert.deepEqual(out.values, [5, -5]);
  assert.deepEqual(plan.nodes[4], {
    kind: 'sink',
    id: 4,
    name: 'Sink: test-sink',
    inputs: [{ from: 3, partitioning: { kind: 'forward' }, port: 0 }],
    sink,
  });
});

test('name, uid and setParallelism change the operator that produced the stream', () => {
  const { env, lines } = setup(2);
  const mapped = lines.map((line) => line.trim());
  const returned = mapped.name('trim').uid('trim-v1').setParallelism(3);
  assert.equal(returned, mapped);
  mapped.sinkTo(sink).name('out').uid('out-v1').setParallelism(1);
  const [, map, out] = env.toPlan().nodes;
  assert.deepEqual([map?.name, map?.uid, map?.parallelism], ['trim', 'trim-v1', 3]);
  assert.deepEqual([out?.name, out?.uid, out?.parallelism], ['out', 'out-v1', 1]);
  // Different parallelism on both ends of an edge without an explicit partitioning: rebalance.
  assert.deepEqual(map?.inputs[0]?.partitioning, { kind: 'rebalance' });
  assert.deepEqual(out?.inputs[0]?.partitioning, { kind: 'rebalance' });

  assert.throws(() => lines.uid('trim-v1'), invalid(/uid "trim-v1" is already used by 'trim' \(node 1\)/));
  mapped.uid('trim-v1'); // the same operator may set its own uid again
  assert.throws(() => mapped.name(''), invalid(/operator name must be a non-empty string/));
  assert.throws(() => mapped.setParallelism(0), invalid(/parallelism must be a whole number above 0, got 0/));
});

test('rebalance, broadcast, global and forward set the partitioning of the next edge only', () => {
  const { env, lines } = setup(2);
  const partitioned = [lines.rebalance(), lines.broadcast(), lines.global(), lines.forward()];
  for (const stream of partitioned) stream.map((line) => line).sinkTo(sink);
  lines.rebalance().name('named through the partitioned view');
  const nodes = env.toPlan().nodes;
  const maps = nodes.filter((node) => node.kind === 'map');
  assert.deepEqual(
    maps.map((node) => node.inputs[0]?.partitioning.kind),
    ['rebalance', 'broadcast', 'global', 'forward'],
  );
  // The edge after each map is the default again.
  const sinks = nodes.filter((node) => node.kind === 'sink');
  assert.deepEqual(
    sinks.map((node) => node.inputs[0]?.partitioning.kind),
    ['forward', 'forward', 'forward', 'forward'],
  );
  assert.equal(nodes[0]?.name, 'named through the partitioned view');
});

test('process functions, side outputs and watermark assignment', () => {
  const { env, lines } = setup();
  const tooLong = outputTag<string>('too-long');
  const checked = lines.process<string>({
    processElement(line, ctx, out) {
      if (line.length > 3) ctx.output(tooLong, line);
      else out.collect(line);
    },
  });
  checked.sinkTo(sink);
  checked.getSideOutput(tooLong).rebalance().sinkTo(sink);
  const assigner = (line: string) => line.length;
  lines
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner(assigner),
      {
        badRecords: { kind: 'skip' },
      },
    )
    .sinkTo(sink);
  const nodes = env.toPlan().nodes;
  assert.deepEqual(nodes[3]?.inputs, [
    { from: 1, partitioning: { kind: 'rebalance' }, port: 0, sideOutput: 'too-long' },
  ]);
  assert.deepEqual(nodes[4], {
    kind: 'assign-watermarks',
    id: 4,
    name: 'Timestamps/Watermarks',
    inputs: [{ from: 0, partitioning: { kind: 'forward' }, port: 0 }],
    watermarks: { kind: 'monotonous', timestampAssigner: assigner },
    badRecords: { kind: 'skip' },
  });
  const process = nodes[1];
  const out = collect<unknown>();
  const side: unknown[] = [];
  const ctx: ProcessContext = {
    timestamp: 0,
    output: (tag, value) => side.push([tag.id, value]),
    currentWatermark: () => 0,
    currentProcessingTime: () => 0,
  };
  if (process?.kind === 'process') {
    process.fn.processElement('ab', ctx, out);
    process.fn.processElement('abcd', ctx, out);
  }
  assert.deepEqual([out.values, side], [['ab'], [['too-long', 'abcd']]]);
});

test('getSideOutput only on operators that emit side outputs', () => {
  const { lines } = setup();
  const tag = outputTag<string>('x');
  assert.throws(
    () => lines.map((l) => l).getSideOutput(tag),
    invalid(/'Map' \(node 1\) is a map operator, which has no side outputs/),
  );
  const processed = lines.process<string>({ processElement: () => {} });
  assert.throws(
    () => processed.getSideOutput(tag).getSideOutput(tag),
    invalid(/was called on a side output/),
  );
  assert.throws(() => processed.getSideOutput({} as never), invalid(/getSideOutput\(\) needs an output tag/));
});

test('union reads every input on port 0; connect reads two inputs on ports 0 and 1', () => {
  const { env, lines } = setup();
  const upper = lines.map((l) => l.toUpperCase());
  const lower = lines.map((l) => l.toLowerCase());
  lines.union(upper.broadcast(), lower).sinkTo(sink);
  const lengths = lines.map((l) => l.length);
  lines
    .connect(lengths)
    .process<string>({ processElement1: (l, _c, out) => out.collect(l), processElement2: () => {} })
    .sinkTo(sink);
  lines
    .connect(lengths)
    .keyBy(
      (l) => l.length,
      (n) => n,
    )
    .process<string>({ processElement1: () => {}, processElement2: () => {} })
    .sinkTo(sink);
  const nodes = env.toPlan().nodes;
  const forward = { kind: 'forward' };
  const union = nodes.find((node) => node.kind === 'union');
  assert.deepEqual(union?.inputs, [
    { from: 0, partitioning: forward, port: 0 },
    { from: 1, partitioning: { kind: 'broadcast' }, port: 0 },
    { from: 2, partitioning: forward, port: 0 },
  ]);
  const co = nodes.find((node) => node.kind === 'co-process');
  assert.deepEqual(co?.inputs, [
    { from: 0, partitioning: forward, port: 0 },
    { from: 5, partitioning: forward, port: 1 },
  ]);
  const keyedCo = nodes.find((node) => node.kind === 'keyed-co-process');
  assert.deepEqual(
    keyedCo?.inputs.map((edge: InputEdge) => [edge.from, edge.port, edge.partitioning.kind]),
    [
      [0, 0, 'keyed'],
      [5, 1, 'keyed'],
    ],
  );
  const keys = keyedCo?.inputs.map((edge) =>
    edge.partitioning.kind === 'keyed' ? edge.partitioning.key : undefined,
  );
  assert.deepEqual([keys?.[0]?.('abc'), keys?.[1]?.(7)], [3, 7]);
});

test('streams of two environments do not mix', () => {
  const a = setup();
  const b = setup();
  const message = /belongs to a different environment; build both from the same StreamEnvironment/;
  assert.throws(() => a.lines.union(b.lines), invalid(message));
  assert.throws(() => a.lines.connect(b.lines), invalid(message));
  assert.throws(() => a.lines.keyBy((l) => l).connect(b.lines.keyBy((l) => l)), invalid(message));
});

test('user functions are checked when they are added', () => {
  const { lines } = setup();
  assert.throws(
    () => lines.map(undefined as never),
    invalid(/the map function must be a function, got undefined/),
  );
  assert.throws(
    () => lines.filter('yes' as never),
    invalid(/the filter function must be a function, got string/),
  );
  assert.throws(
    () => lines.process({} as never),
    invalid(/a ProcessFunction has no processElement\(\) method/),
  );
  assert.throws(() => lines.keyBy(null as never), invalid(/the key selector must be a function, got null/));
  assert.throws(() => lines.sinkTo({ connector: '' } as never), invalid(/expected a sink descriptor/));
  assert.throws(
    () => lines.connect(lines).process({ processElement1: () => {} } as never),
    invalid(/a CoProcessFunction has no processElement2\(\) method/),
  );
});
