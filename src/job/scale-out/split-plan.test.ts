import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamError } from '../../common/errors.ts';
import { discardSink } from '../../connectors/discard/discard-sink.ts';
import { elementsSource } from '../../connectors/elements/elements-source.ts';
import { kafkaSource } from '../../connectors/kafka/kafka-source.ts';
import { buildPhysicalGraph } from '../../engine/graph/physical-graph.ts';
import { keyed, PlanBuilder, REBALANCE } from '../../engine/testing-support/plan-builder.ts';
import type { PlanNode } from '../../plan/nodes.ts';
import { splitAtKeyedEdges } from './split-plan.ts';

const byWord = (value: unknown): unknown => (value as { word: string }).word;

/** words → map → keyBy(word) reduce → sink, and the reduce's result keyed again into a second reduce. */
function twoKeyedEdges() {
  const b = new PlanBuilder({ parallelism: 1 });
  const words = b.source('words', elementsSource([{ word: 'a', n: 1 }]));
  const mapped = b.map('tag', words, (value) => value);
  const counts = b.add({
    kind: 'keyed-reduce',
    name: 'count',
    inputs: [{ from: mapped, partitioning: keyed(byWord), port: 0 }],
    fn: (a, c) => a ?? c,
  });
  const again = b.add({
    kind: 'keyed-reduce',
    name: 'again',
    inputs: [{ from: counts, partitioning: keyed(byWord), port: 0 }],
    fn: (a, c) => a ?? c,
  });
  b.sink('out', again, discardSink());
  return b.plan();
}

test('every keyed edge becomes a repartition sink and source; the plan keeps forward edges only', () => {
  const plan = twoKeyedEdges();
  const staged = splitAtKeyedEdges(plan, { jobId: 'wc', tasks: 3 });
  assert.equal(staged.config.parallelism, 3);
  const kinds = staged.nodes.map((node) => `${node.kind}:${node.name}`);
  assert.deepEqual(kinds, [
    'source:words',
    'map:tag',
    'sink:repartition 0 to count',
    'source:repartition 0 from tag',
    'keyed-reduce:count',
    'sink:repartition 1 to again',
    'source:repartition 1 from count',
    'keyed-reduce:again',
    'sink:out',
  ]);
  const sinks = staged.nodes.filter((node) => node.kind === 'sink').slice(0, 2);
  assert.deepEqual(
    sinks.map((node) => [node.sink.connector, node.sink.config.topic, node.sink.config.tasks]),
    [
      ['kafka-repartition', 'wc-repartition-0', 3],
      ['kafka-repartition', 'wc-repartition-1', 3],
    ],
  );
  // The original nodes keep their ids (their state's uids derive from them).
  const count = staged.nodes.find((node) => node.name === 'count') as PlanNode;
  assert.equal(count.id, plan.nodes.find((node) => node.name === 'count')?.id);
  const edge = count.inputs[0]!;
  assert.equal(edge.partitioning.kind, 'forward');
  assert.equal(edge.partitioning.kind === 'forward' && edge.partitioning.key, byWord);
  // Three chains at parallelism 3 and no channel between subtasks: task i runs alone anywhere.
  const graph = buildPhysicalGraph(staged);
  assert.deepEqual(
    graph.tasks.map((task) => [task.name, task.parallelism]),
    [
      ['words -> tag -> repartition 0 to count', 3],
      ['repartition 0 from tag -> count -> repartition 1 to again', 3],
      ['repartition 1 from count -> again -> out', 3],
    ],
  );
  assert.deepEqual(graph.exchanges, []);
});

test('rebalance edges, operators with a parallelism of their own and Kafka group ids are refused, each named', () => {
  const b = new PlanBuilder({ parallelism: 2 });
  const words = b.source(
    'words',
    kafkaSource({ topics: ['w'], startFrom: 'earliest', format: 'json', groupId: 'mine' }),
  );
  const spread = b.map('spread', { from: words, partitioning: REBALANCE }, (value) => value);
  b.sink('out', spread, discardSink(), { parallelism: 1 });
  assert.throws(
    () => splitAtKeyedEdges(b.plan(), { jobId: 'j', tasks: 4 }),
    (error: unknown) =>
      error instanceof StreamError &&
      error.code === 'ENG_INVALID_JOB' &&
      /"spread" reads a rebalance edge/.test(error.message) &&
      /"out" sets its own parallelism \(1\)/.test(error.message) &&
      /Kafka source "words" names groupId "mine"/.test(error.message),
  );
  assert.throws(
    () => splitAtKeyedEdges(twoKeyedEdges(), { jobId: 'j', tasks: 200 }),
    /200 tasks exceed maxParallelism 128/,
  );
});
